package hotline_test

import (
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/hotline"
)

func TestComputeStats(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	answered := func(op, day string, secs int) *desk.Call {
		return &desk.Call{Direction: "in", Operator: op, OperatorName: op, Day: day, AnsweredAt: t0, EndedAt: t0.Add(time.Duration(secs) * time.Second)}
	}
	calls := []*desk.Call{
		answered("lan", "2026-11-26", 60), answered("lan", "2026-11-27", 120), answered("lan", "2026-11-27", 180),
		answered("minh", "2026-11-27", 300),
		{Direction: "in", Missed: true, Day: "2026-11-27"},
		{Direction: "out", Operator: "minh", OperatorName: "minh", Day: "2026-11-27"}, // never answered: no handling time
	}
	st := hotline.ComputeStats(calls)
	if st.Total != 6 || st.Inbound != 5 || st.Missed != 1 || st.MissedRate != 0.2 {
		t.Errorf("totals %+v", st)
	}
	if len(st.Operators) != 2 {
		t.Fatalf("operators %+v", st.Operators)
	}
	lan, minh := st.Operators[0], st.Operators[1]
	if lan.Operator != "lan" || lan.Calls != 3 || lan.Days != 2 || lan.PerDay != 1.5 || lan.AvgHandle != 2*time.Minute {
		t.Errorf("lan %+v", lan)
	}
	if minh.Calls != 2 || minh.Days != 1 || minh.AvgHandle != 5*time.Minute {
		t.Errorf("minh %+v", minh)
	}
	if z := hotline.ComputeStats(nil); z.MissedRate != 0 || len(z.Operators) != 0 {
		t.Errorf("empty %+v", z)
	}
}
