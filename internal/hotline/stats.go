package hotline

import (
	"sort"
	"time"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// OperatorStats is one operator's figures over a set of calls.
type OperatorStats struct {
	Operator string
	Name     string
	Calls    int
	Days     int     // distinct days with calls
	PerDay   float64 // calls per day worked
	// AvgHandle is the mean time from answer to hang-up over the calls
	// that have both.
	AvgHandle time.Duration
}

// Stats summarises a set of calls for the call log page.
type Stats struct {
	Total   int
	Inbound int
	Missed  int
	// MissedRate is missed inbound calls over all inbound calls.
	MissedRate float64
	Operators  []OperatorStats
}

// ComputeStats works the figures out in Go rather than in an aggregation:
// the embedded store's $group computes only one accumulator correctly.
func ComputeStats(calls []*desk.Call) Stats {
	var st Stats
	type acc struct {
		OperatorStats
		days    map[string]bool
		handled int
		sum     time.Duration
	}
	by := map[string]*acc{}
	for _, c := range calls {
		st.Total++
		if c.Direction != desk.DirectionOut {
			st.Inbound++
			if c.Missed {
				st.Missed++
			}
		}
		if c.Operator == "" {
			continue
		}
		a := by[c.Operator]
		if a == nil {
			a = &acc{OperatorStats: OperatorStats{Operator: c.Operator, Name: c.OperatorName}, days: map[string]bool{}}
			by[c.Operator] = a
		}
		a.Calls++
		a.days[c.Day] = true
		if d := c.Duration(); d > 0 {
			a.handled++
			a.sum += d
		}
	}
	if st.Inbound > 0 {
		st.MissedRate = float64(st.Missed) / float64(st.Inbound)
	}
	for _, a := range by {
		a.Days = len(a.days)
		if a.Days > 0 {
			a.PerDay = float64(a.Calls) / float64(a.Days)
		}
		if a.handled > 0 {
			a.AvgHandle = a.sum / time.Duration(a.handled)
		}
		st.Operators = append(st.Operators, a.OperatorStats)
	}
	sort.Slice(st.Operators, func(i, j int) bool {
		if st.Operators[i].Calls != st.Operators[j].Calls {
			return st.Operators[i].Calls > st.Operators[j].Calls
		}
		return st.Operators[i].Name < st.Operators[j].Name
	})
	return st
}
