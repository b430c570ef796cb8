package sla

import (
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/calendar"
)

// The expected dates below are worked out by hand from the 2027 calendar:
// Tết is Saturday 6 February, so Friday 5 (30 tháng Chạp) to Tuesday 9
// February are days off and Wednesday 10 and Thursday 11 are given back
// for the two Tết days on the weekend. March 2027 has no holidays.

func newCal(t *testing.T) *calendar.Calendar {
	t.Helper()
	c, err := calendar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// endOf is 23:59:59 in Vietnam of the given date.
func endOf(t *testing.T, date string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, date, calendar.Location())
	if err != nil {
		t.Fatal(err)
	}
	return d.Add(24*time.Hour - time.Second)
}

func TestCompute(t *testing.T) {
	cal := newCal(t)
	cases := []struct {
		name, received                    string
		transfer, first, answer, warnDate string
	}{
		{"Monday morning", "2027-03-01T10:00:00+07:00", "2027-03-08", "2027-03-04", "2027-03-15", "2027-03-12"},
		{"Saturday counts from Monday", "2027-03-06T10:00:00+07:00", "2027-03-12", "2027-03-10", "2027-03-19", "2027-03-18"},
		{"Friday 23:30 counts from Monday", "2027-03-05T16:30:00Z", "2027-03-12", "2027-03-10", "2027-03-19", "2027-03-18"},
		{"across Tết", "2027-02-01T10:00:00+07:00", "2027-02-15", "2027-02-04", "2027-02-22", "2027-02-19"},
	}
	for _, c := range cases {
		got := Compute(cal, DefaultPolicy(), at(t, c.received))
		want := Deadlines{
			Transfer:      endOf(t, c.transfer),
			FirstResponse: endOf(t, c.first),
			Answer:        endOf(t, c.answer),
			Warn:          endOf(t, c.warnDate),
		}
		if !equal(got, want) {
			t.Errorf("%s: Compute = %s, want %s", c.name, show(got), show(want))
		}
	}
}

func TestComputeWithOverrides(t *testing.T) {
	// An extra day off on Friday 12 March and a make-up Saturday on 20
	// March: receipt on Monday 1 March, answer 10 working days later is
	// Mar 2,3,4,5,8,9,10,11,(12 off),15,16 -> Tuesday 16; with the warning
	// on Monday 15.
	cal, err := calendar.New([]calendar.Override{
		{Date: "2027-03-12", Kind: calendar.OverrideDayOff},
		{Date: "2027-03-20", Kind: calendar.OverrideWorkingDay},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := DefaultPolicy()
	got := Compute(cal, p, at(t, "2027-03-01T10:00:00+07:00"))
	if !got.Answer.Equal(endOf(t, "2027-03-16")) || !got.Warn.Equal(endOf(t, "2027-03-15")) {
		t.Errorf("Compute = %s", show(got))
	}
	// With 14 working days: 17, 18, 19 (Wed–Fri), then Saturday 20 counts.
	p.AnswerDays = 14
	if got := Compute(cal, p, at(t, "2027-03-01T10:00:00+07:00")); !got.Answer.Equal(endOf(t, "2027-03-20")) {
		t.Errorf("Answer = %s, want the make-up Saturday", got.Answer)
	}
}

func TestRestart(t *testing.T) {
	// Transferred on Monday 8 March at 14:00: the receiving agency's 10
	// working days are Mar 9–12, 15–19, 22.
	cal := newCal(t)
	got := Restart(cal, DefaultPolicy(), at(t, "2027-03-08T14:00:00+07:00"))
	want := Deadlines{
		Transfer:      endOf(t, "2027-03-15"),
		FirstResponse: endOf(t, "2027-03-11"),
		Answer:        endOf(t, "2027-03-22"),
		Warn:          endOf(t, "2027-03-19"),
	}
	if !equal(got, want) {
		t.Errorf("Restart = %s, want %s", show(got), show(want))
	}
}

func TestResume(t *testing.T) {
	cal := newCal(t)
	cases := []struct {
		name, due, paused, resumed, want string
	}{
		// Paused for exactly 3 working days (Wed 3, Thu 4, Fri 5 March).
		{"three days within a week", "2027-03-15", "2027-03-02T10:00:00+07:00", "2027-03-05T10:00:00+07:00", "2027-03-18"},
		// Fri 5, Mon 8, Tue 9: the weekend does not count.
		{"three days across a weekend", "2027-03-15", "2027-03-04T10:00:00+07:00", "2027-03-09T10:00:00+07:00", "2027-03-18"},
		// Twelve calendar days but three working days (Fri 12, Mon 15,
		// Tue 16 February); the due date moves by three: 23, 24, 25.
		{"three days across Tết", "2027-02-22", "2027-02-04T10:00:00+07:00", "2027-02-16T10:00:00+07:00", "2027-02-25"},
		// The moved due date itself jumps over Tết: Thu 4 -> Fri 12 -> Mon 15.
		{"due moved across Tết", "2027-02-04", "2027-02-01T09:00:00+07:00", "2027-02-03T09:00:00+07:00", "2027-02-15"},
		{"same day", "2027-03-15", "2027-03-02T09:00:00+07:00", "2027-03-02T16:00:00+07:00", "2027-03-15"},
		{"weekend only", "2027-03-15", "2027-03-06T09:00:00+07:00", "2027-03-07T18:00:00+07:00", "2027-03-15"},
		{"Tết only", "2027-03-15", "2027-02-05T09:00:00+07:00", "2027-02-11T09:00:00+07:00", "2027-03-15"},
	}
	for _, c := range cases {
		got := Resume(cal, endOf(t, c.due), at(t, c.paused), at(t, c.resumed))
		if want := endOf(t, c.want); !got.Equal(want) {
			t.Errorf("%s: Resume = %s, want %s", c.name, got, want)
		}
	}
	if got := Resume(cal, time.Time{}, at(t, "2027-03-02T10:00:00+07:00"), at(t, "2027-03-05T10:00:00+07:00")); !got.IsZero() {
		t.Errorf("zero due became %s", got)
	}
}

func TestResumeAll(t *testing.T) {
	cal := newCal(t)
	d := Compute(cal, DefaultPolicy(), at(t, "2027-03-01T10:00:00+07:00"))
	got := ResumeAll(cal, d, at(t, "2027-03-02T10:00:00+07:00"), at(t, "2027-03-05T10:00:00+07:00"))
	want := Deadlines{
		Transfer:      endOf(t, "2027-03-11"), // Mar 8 + 3
		FirstResponse: endOf(t, "2027-03-09"), // Mar 4 + 3: 5, 8, 9
		Answer:        endOf(t, "2027-03-18"), // Mar 15 + 3
		Warn:          endOf(t, "2027-03-17"), // still one working day before the answer
	}
	if !equal(got, want) {
		t.Errorf("ResumeAll = %s, want %s", show(got), show(want))
	}
}

func TestLevelAt(t *testing.T) {
	cal := newCal(t)
	// Warn at the end of Fri 12 March, answer due end of Mon 15, escalation
	// two working days later, at the end of Wed 17.
	march := Compute(cal, DefaultPolicy(), at(t, "2027-03-01T10:00:00+07:00"))
	// Received Wed 20 January: due Wed 3 February (Jan 21, 22, 25–29, Feb
	// 1, 2, 3), warning end of Tue 2; two working days after the due date
	// are Thu 4 and, after Tết, Fri 12 February.
	tet := Compute(cal, DefaultPolicy(), at(t, "2027-01-20T10:00:00+07:00"))
	cases := []struct {
		name     string
		d        Deadlines
		now      string
		escalate int
		want     Level
	}{
		{"well before", march, "2027-03-08T10:00:00+07:00", 2, LevelOK},
		{"just before warn", march, "2027-03-12T23:59:58+07:00", 2, LevelOK},
		{"at warn", march, "2027-03-12T23:59:59+07:00", 2, LevelOK},
		{"just after warn", march, "2027-03-13T00:00:00+07:00", 2, LevelWarn},
		{"just after warn, in UTC", march, "2027-03-12T17:00:00Z", 2, LevelWarn},
		{"at the deadline", march, "2027-03-15T23:59:59+07:00", 2, LevelWarn},
		{"just after the deadline", march, "2027-03-16T00:00:00+07:00", 2, LevelBreach},
		{"at escalation", march, "2027-03-17T23:59:59+07:00", 2, LevelBreach},
		{"just after escalation", march, "2027-03-18T00:00:00+07:00", 2, LevelEscalated},
		{"escalate at once", march, "2027-03-16T00:00:00+07:00", 0, LevelEscalated},
		{"breach through Tết", tet, "2027-02-11T12:00:00+07:00", 2, LevelBreach},
		{"escalated after Tết", tet, "2027-02-13T00:00:00+07:00", 2, LevelEscalated},
		{"warned before Tết", tet, "2027-02-03T08:00:00+07:00", 2, LevelWarn},
		{"no deadlines", Deadlines{}, "2027-03-16T00:00:00+07:00", 2, LevelOK},
	}
	for _, c := range cases {
		if got := LevelAt(cal, at(t, c.now), c.d, c.escalate); got != c.want {
			t.Errorf("%s: LevelAt(%s) = %v, want %v", c.name, c.now, got, c.want)
		}
	}
	if got := EscalateAt(cal, tet, 2); !got.Equal(endOf(t, "2027-02-12")) {
		t.Errorf("EscalateAt = %s, want end of 2027-02-12", got)
	}
}

func TestLevelString(t *testing.T) {
	want := map[Level]string{LevelOK: "ok", LevelWarn: "warn", LevelBreach: "breach", LevelEscalated: "escalated", Level(9): "Level(9)"}
	for l, w := range want {
		if l.String() != w {
			t.Errorf("%d.String() = %q, want %q", int(l), l.String(), w)
		}
	}
}

func TestPolicyValidate(t *testing.T) {
	if err := DefaultPolicy().Validate(); err != nil {
		t.Errorf("DefaultPolicy invalid: %v", err)
	}
	bad := []Policy{
		{TransferDays: 5, FirstResponseDays: 3, AnswerDays: 0, WarnBeforeDays: 0},
		{TransferDays: 0, FirstResponseDays: 3, AnswerDays: 10, WarnBeforeDays: 1},
		{TransferDays: 5, FirstResponseDays: -1, AnswerDays: 10, WarnBeforeDays: 1},
		{TransferDays: 5, FirstResponseDays: 3, AnswerDays: 10, WarnBeforeDays: 10},
		{TransferDays: 5, FirstResponseDays: 3, AnswerDays: 10, WarnBeforeDays: -1},
	}
	for _, p := range bad {
		if p.Validate() == nil {
			t.Errorf("%+v: want an error", p)
		}
	}
}

func equal(a, b Deadlines) bool {
	return a.Transfer.Equal(b.Transfer) && a.FirstResponse.Equal(b.FirstResponse) &&
		a.Answer.Equal(b.Answer) && a.Warn.Equal(b.Warn)
}

func show(d Deadlines) string {
	f := func(t time.Time) string { return t.In(calendar.Location()).Format("2006-01-02 15:04:05") }
	return "{transfer " + f(d.Transfer) + ", first " + f(d.FirstResponse) + ", answer " + f(d.Answer) + ", warn " + f(d.Warn) + "}"
}
