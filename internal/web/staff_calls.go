package web

import (
	"fmt"
	"sort"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/hotline"
	"github.com/civicdesk/civicdesk/internal/phone"
)

type callRow struct {
	CallID, Phone, Display, Started, Duration, Operator, Outcome, Ticket, Summary string
	Missed, Blocked                                                               bool
}

type operatorRow struct {
	Name, PerDay, AvgHandle string
	Calls, Days             int
}

type operatorOpt struct {
	ID, Name string
}

// callLogLimit bounds the call log page; the statistics cover the calls
// shown, so narrow by day or operator for exact figures on busy days.
const callLogLimit = 1000

// callLog: GET /staff/calls?operator=&day=&outcome=&missed=, the call log
// with durations and per-operator statistics.
func (s *Server) callLog(c *fiber.Ctx) error {
	if err := s.mayHandleCalls(c); err != nil {
		return err
	}
	f, err := callFilter(func(k string) string { return clone(c.Query(k)) })
	if err != nil {
		return err
	}
	f.Limit = callLogLimit
	u := userOf(c)
	calls, err := s.Hotline.Calls(c.UserContext(), u, f)
	if err != nil {
		return err
	}
	rows := make([]callRow, 0, len(calls))
	for _, k := range calls {
		r := callRow{CallID: k.CallID, Phone: k.Phone, Display: phone.Display(k.Phone), Started: k.StartedAt.In(hcm).Format("02/01/2006 15:04:05"),
			Duration: mmss(k.Duration()), Operator: k.OperatorName, Ticket: k.TicketCode, Summary: k.Summary, Missed: k.Missed, Blocked: k.Blocked}
		if k.Outcome != "" {
			r.Outcome = s.t(c, "outcome."+string(k.Outcome))
		}
		rows = append(rows, r)
	}
	st := hotline.ComputeStats(calls)
	ops := make([]operatorRow, 0, len(st.Operators))
	for _, o := range st.Operators {
		ops = append(ops, operatorRow{Name: o.Name, Calls: o.Calls, Days: o.Days, PerDay: fmt.Sprintf("%.1f", o.PerDay), AvgHandle: mmss(o.AvgHandle)})
	}
	// The operator filter lists everyone who took calls in the other
	// filters' range, so choosing one does not hide the rest.
	optCalls := calls
	if f.Operator != "" {
		g := f
		g.Operator = ""
		if optCalls, err = s.Hotline.Calls(c.UserContext(), u, g); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	var opts []operatorOpt
	for _, k := range optCalls {
		if k.Operator != "" && !seen[k.Operator] {
			seen[k.Operator] = true
			opts = append(opts, operatorOpt{k.Operator, k.OperatorName})
		}
	}
	sort.Slice(opts, func(i, j int) bool { return opts[i].Name < opts[j].Name })
	type outcomeOpt struct {
		Value desk.Outcome
		Label string
	}
	var outcomes []outcomeOpt
	for _, o := range desk.Outcomes {
		outcomes = append(outcomes, outcomeOpt{o, s.t(c, "outcome."+string(o))})
	}
	missed := ""
	if f.Missed != nil {
		missed = fmt.Sprint(*f.Missed)
	}
	return s.render(c, "calls", s.t(c, "calls.title"), fiber.Map{
		"Calls": rows, "Stats": st, "MissedRate": fmt.Sprintf("%.1f%%", 100*st.MissedRate), "Operators": ops,
		"OperatorOpts": opts, "Outcomes": outcomes, "F": f, "MissedFilter": missed, "Limit": callLogLimit,
	})
}

// mmss formats a duration as minutes:seconds, "—" for none.
func mmss(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	secs := int(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d", secs/60, secs%60)
}
