package calendar

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func mustNew(t testing.TB, overrides ...Override) *Calendar {
	t.Helper()
	c, err := New(overrides)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLocation(t *testing.T) {
	loc := Location()
	_, offset := time.Date(2027, 6, 1, 12, 0, 0, 0, loc).Zone()
	if offset != 7*3600 {
		t.Errorf("offset %d, want UTC+7", offset)
	}
}

// Days off of civil servants in years whose official schedule, as
// announced by the Ministry of Labour / Ministry of Home Affairs, used the
// statutory days without swaps: every listed day must be off and the
// working days just around each block must be working.
func TestOfficialSchedules(t *testing.T) {
	cal := mustNew(t)
	cases := []struct {
		name      string
		off       []string
		workingAt []string
	}{
		{"New Year 2022 on a Saturday", []string{"2022-01-01", "2022-01-03"}, []string{"2021-12-31", "2022-01-04"}},
		{"New Year 2023 on a Sunday", []string{"2022-12-31", "2023-01-01", "2023-01-02"}, []string{"2022-12-30", "2023-01-03"}},
		{"Hùng Kings 2022 on a Sunday", []string{"2022-04-10", "2022-04-11"}, []string{"2022-04-08", "2022-04-12"}},
		{"30/4 and 1/5 2022 on a weekend", []string{"2022-04-30", "2022-05-01", "2022-05-02", "2022-05-03"}, []string{"2022-04-29", "2022-05-04"}},
		{"1/5 2021 on a Saturday", []string{"2021-04-30", "2021-05-01", "2021-05-02", "2021-05-03"}, []string{"2021-04-29", "2021-05-04"}},
		{"Hùng Kings, 30/4, 1/5 2023 from Saturday", []string{"2023-04-29", "2023-04-30", "2023-05-01", "2023-05-02", "2023-05-03"}, []string{"2023-04-28", "2023-05-04"}},
		{"National Day 2021 (Thursday)", []string{"2021-09-02", "2021-09-03"}, []string{"2021-09-01", "2021-09-06"}},
		{"National Day 2022 (Friday)", []string{"2022-09-01", "2022-09-02"}, []string{"2022-08-31", "2022-09-05"}},
		{"National Day 2023 (Saturday)", []string{"2023-09-01", "2023-09-02", "2023-09-04"}, []string{"2023-08-31", "2023-09-05"}},
		{"National Day 2024 (Monday)", []string{"2024-08-31", "2024-09-02", "2024-09-03"}, []string{"2024-08-30", "2024-09-04"}},
		{"National Day 2025 (Tuesday)", []string{"2025-08-30", "2025-09-01", "2025-09-02"}, []string{"2025-08-29", "2025-09-03"}},
		{"Tết 2026, 29 tháng Chạp to mùng 4", []string{"2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20"}, []string{"2026-02-13", "2026-02-23"}},
	}
	for _, c := range cases {
		for _, s := range c.off {
			if cal.IsWorkingDay(day(t, s)) {
				t.Errorf("%s: %s should be a day off", c.name, s)
			}
		}
		for _, s := range c.workingAt {
			if !cal.IsWorkingDay(day(t, s)) {
				t.Errorf("%s: %s should be a working day", c.name, s)
			}
		}
	}
}

func TestHolidays2023(t *testing.T) {
	// The rules applied by hand: Tết Quý Mão is Sunday 22 January, so 30
	// tháng Chạp (Saturday) and mùng 1 fall on the weekend and are given
	// back after the Tết block; Giỗ Tổ (Saturday 29/4) and 30/4 (Sunday)
	// are given back after 1/5; 2/9 is a Saturday, so its adjacent day is
	// Friday 1/9 and it is given back on Monday 4/9.
	want := []string{
		"2023-01-01 statutory Tết Dương lịch",
		"2023-01-02 compensatory Nghỉ bù Tết Dương lịch",
		"2023-01-21 statutory Tết Nguyên đán (30 tháng Chạp năm Nhâm Dần)",
		"2023-01-22 statutory Tết Nguyên đán (mùng 1 tháng Giêng năm Quý Mão)",
		"2023-01-23 statutory Tết Nguyên đán (mùng 2 tháng Giêng năm Quý Mão)",
		"2023-01-24 statutory Tết Nguyên đán (mùng 3 tháng Giêng năm Quý Mão)",
		"2023-01-25 statutory Tết Nguyên đán (mùng 4 tháng Giêng năm Quý Mão)",
		"2023-01-26 compensatory Nghỉ bù Tết Nguyên đán (30 tháng Chạp năm Nhâm Dần)",
		"2023-01-27 compensatory Nghỉ bù Tết Nguyên đán (mùng 1 tháng Giêng năm Quý Mão)",
		"2023-04-29 statutory Giỗ Tổ Hùng Vương (10/3 âm lịch)",
		"2023-04-30 statutory Ngày Chiến thắng (30/4)",
		"2023-05-01 statutory Ngày Quốc tế Lao động (1/5)",
		"2023-05-02 compensatory Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch)",
		"2023-05-03 compensatory Nghỉ bù Ngày Chiến thắng (30/4)",
		"2023-09-01 statutory Quốc khánh (ngày liền kề, 1/9)",
		"2023-09-02 statutory Quốc khánh (2/9)",
		"2023-09-04 compensatory Nghỉ bù Quốc khánh (2/9)",
	}
	var got []string
	for _, h := range mustNew(t).Holidays(2023) {
		got = append(got, fmt.Sprintf("%s %s %s", h.Date.Format(time.DateOnly), h.Kind, h.Name))
		if h.Date.Location() != Location() || h.Date.Hour() != 0 {
			t.Errorf("%v: want midnight in Asia/Ho_Chi_Minh", h.Date)
		}
		if h.NameEN == "" {
			t.Errorf("%s has no English name", h.Name)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Holidays(2023):\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNationalDayBefore2021(t *testing.T) {
	// Under the Labour Code 2012 National Day was one day.
	cal := mustNew(t)
	if !cal.IsWorkingDay(day(t, "2020-09-01")) || !cal.IsWorkingDay(day(t, "2020-09-03")) {
		t.Error("2020: only 2 September is a day off")
	}
	if cal.IsWorkingDay(day(t, "2020-09-02")) {
		t.Error("2020-09-02 is National Day")
	}
}

func TestNationalDayAdjacent(t *testing.T) {
	// 2021–2025 as the government decided; 2026 (Wednesday) and 2029
	// (Sunday) by the documented rule.
	want := map[int]int{2021: 3, 2022: 1, 2023: 1, 2024: 3, 2025: 1, 2026: 1, 2029: 3}
	for y, w := range want {
		if got := NationalDayAdjacent(y); got != w {
			t.Errorf("NationalDayAdjacent(%d) = %d, want %d", y, got, w)
		}
	}
}

// The official 2024 and 2025 schedules swapped a working day to bridge
// 30/4–1/5: 2024 off Monday 29/4, worked Saturday 4/5; 2025 off Friday
// 2/5, worked Saturday 26/4.
var swaps2024and2025 = []Override{
	{Date: "2024-04-29", Kind: OverrideDayOff, Note: "Hoán đổi ngày làm việc"},
	{Date: "2024-05-04", Kind: OverrideWorkingDay, Note: "Làm bù thứ Hai 29/4"},
	{Date: "2025-05-02", Kind: OverrideDayOff, Note: "Hoán đổi ngày làm việc"},
	{Date: "2025-04-26", Kind: OverrideWorkingDay, Note: "Làm bù thứ Sáu 2/5"},
}

func TestAddWorkingDays(t *testing.T) {
	plain := mustNew(t)
	swapped := mustNew(t, swaps2024and2025...)
	tetMoved := mustNew(t,
		// The 2024 Tết schedule actually decided: 29 tháng Chạp to mùng 5,
		// i.e. Thursday 8/2 off and Thursday 15/2 worked compared with the
		// default.
		Override{Date: "2024-02-08", Kind: OverrideDayOff},
		Override{Date: "2024-02-15", Kind: OverrideWorkingDay},
	)
	cases := []struct {
		name string
		cal  *Calendar
		from string // RFC 3339, or a bare date meaning 09:00 in Vietnam
		n    int
		want string // date of the deadline
	}{
		{"ordinary week", plain, "2027-03-01", 5, "2027-03-08"},
		{"receipt on Friday evening", plain, "2027-03-05T22:30:00+07:00", 1, "2027-03-08"},
		{"receipt on Sunday", plain, "2027-03-07", 1, "2027-03-08"},
		// 2027: Tết is Saturday 6/2; 5/2 (30 Chạp) to 9/2 (mùng 4) off, the
		// weekend days given back on Wednesday 10/2 and Thursday 11/2.
		{"across Tết 2027", plain, "2027-02-01", 5, "2027-02-15"},
		{"across Tết 2026", plain, "2026-02-13", 1, "2026-02-23"},
		{"across a compensatory day (2023-05-02/03)", plain, "2023-04-28", 1, "2023-05-04"},
		{"across a compensatory day (2022-04-11)", plain, "2022-04-08", 2, "2022-04-13"},
		{"into New Year", plain, "2026-12-31", 1, "2027-01-04"},
		{"make-up Saturday counts", swapped, "2024-05-02", 2, "2024-05-04"},
		{"without the make-up Saturday", plain, "2024-05-02", 2, "2024-05-06"},
		{"extra day off skipped", swapped, "2024-04-26", 1, "2024-05-02"},
		{"extra day off 2025", swapped, "2025-04-29", 1, "2025-05-05"},
		{"make-up Saturday 2025", swapped, "2025-04-25", 1, "2025-04-26"},
		{"moved Tết day", tetMoved, "2024-02-07", 1, "2024-02-15"},
		{"moved Tết day, default", plain, "2024-02-07", 1, "2024-02-08"},
		{"moved Tết day, worked", tetMoved, "2024-02-14", 1, "2024-02-15"},
		{"zero on a working day", plain, "2027-03-03", 0, "2027-03-03"},
		{"zero on a Saturday", plain, "2027-03-06", 0, "2027-03-08"},
		{"zero on a holiday", plain, "2027-09-02", 0, "2027-09-06"},
		{"backwards", plain, "2023-05-04", -1, "2023-04-28"},
		{"backwards across Tết", plain, "2027-02-15", -5, "2027-02-01"},
		{"backwards into last year", plain, "2027-01-04", -1, "2026-12-31"},
		// 20:00 UTC on Thursday 4 March is 03:00 on Friday in Hà Nội.
		{"date taken in Vietnam", plain, "2027-03-04T20:00:00Z", 1, "2027-03-08"},
		{"a year of working days", plain, "2027-01-01", 250, "2027-12-31"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			from, err := time.Parse(time.RFC3339, c.from)
			if err != nil {
				from = day(t, c.from).Add(9 * time.Hour)
			}
			got := c.cal.AddWorkingDays(from, c.n)
			want := day(t, c.want).Add(24*time.Hour - time.Second)
			if !got.Equal(want) || got.Location() != Location() {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", c.from, c.n, got, want)
			}
		})
	}
}

func TestWorkingDaysPerYear(t *testing.T) {
	// Counted by hand. Both years have 365 days with 52 Saturdays and 52
	// Sundays, and 11 days off that fall on weekdays:
	// 2026: 1/1 (Thu); Tết 16–20/2 (Mon–Fri); Monday 27/4 given back for
	// Giỗ Tổ (Sunday 26/4); 30/4 and 1/5 (Thu, Fri); 1/9 and 2/9 (Tue, Wed).
	// 2027: 1/1 (Fri); 30 Chạp (Fri 5/2), mùng 3–4 (Mon 8, Tue 9/2) and
	// Wed 10, Thu 11/2 given back for mùng 1–2 (Sat, Sun); Giỗ Tổ (Fri
	// 16/4); 30/4 (Fri); Monday 3/5 given back for 1/5 (Sat); 2/9 and 3/9
	// (Thu, Fri).
	// So 365 - 104 - 11 = 250 working days each.
	cal := mustNew(t)
	for _, c := range []struct{ from, to string }{{"2025-12-31", "2026-12-31"}, {"2026-12-31", "2027-12-31"}} {
		if got := cal.WorkingDaysBetween(day(t, c.from), day(t, c.to)); got != 250 {
			t.Errorf("working days in (%s, %s] = %d, want 250", c.from, c.to, got)
		}
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	cal := mustNew(t)
	cases := []struct {
		from, to string
		want     int
	}{
		{"2023-04-28T08:00:00+07:00", "2023-05-04T08:00:00+07:00", 1},
		{"2027-02-01T10:00:00+07:00", "2027-02-15T09:00:00+07:00", 5},
		{"2026-12-31T10:00:00+07:00", "2027-01-04T10:00:00+07:00", 1},
		{"2027-03-03T08:00:00+07:00", "2027-03-03T17:00:00+07:00", 0},
		{"2027-03-08T08:00:00+07:00", "2027-03-01T08:00:00+07:00", 0},
		{"2027-03-06T08:00:00+07:00", "2027-03-07T08:00:00+07:00", 0},
		// 23:30 in Hà Nội on Monday 1 March is still Monday there.
		{"2027-03-01T16:30:00Z", "2027-03-02T08:00:00+07:00", 1},
		// Two whole years of 250 (see TestWorkingDaysPerYear), and 1/1/2028
		// is a Saturday.
		{"2025-12-31T08:00:00+07:00", "2028-01-01T08:00:00+07:00", 500},
	}
	for _, c := range cases {
		if got := cal.WorkingDaysBetween(mustTime(t, c.from), mustTime(t, c.to)); got != c.want {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", c.from, c.to, got, c.want)
		}
	}
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOverridesInHolidays(t *testing.T) {
	cal := mustNew(t, swaps2024and2025...)
	var found bool
	for _, h := range cal.Holidays(2024) {
		if h.Date.Equal(day(t, "2024-04-29")) {
			found = h.Kind == KindOverride && h.Name == "Hoán đổi ngày làm việc"
		}
	}
	if !found {
		t.Error("2024-04-29 not listed as an override day off")
	}
	mu := cal.MakeUpDays(2024)
	if len(mu) != 1 || !mu[0].Date.Equal(day(t, "2024-05-04")) || mu[0].Note != "Làm bù thứ Hai 29/4" {
		t.Errorf("MakeUpDays(2024) = %+v", mu)
	}

	// Moving a computed day off: 1/9/2026 made a working day, 3/9 a day off.
	moved := mustNew(t,
		Override{Date: "2026-09-01", Kind: OverrideWorkingDay},
		Override{Date: "2026-09-03", Kind: OverrideDayOff, Note: "Quốc khánh (ngày liền kề, 3/9)"},
	)
	if !moved.IsWorkingDay(day(t, "2026-09-01")) || moved.IsWorkingDay(day(t, "2026-09-03")) {
		t.Error("override did not move the National Day adjacent day")
	}
	for _, h := range moved.Holidays(2026) {
		if h.Date.Equal(day(t, "2026-09-01")) {
			t.Errorf("%s still listed as a day off", h.Name)
		}
	}

	// The cached slices are not the caller's to corrupt.
	hs := cal.Holidays(2024)
	hs[0].Name = "changed"
	if cal.Holidays(2024)[0].Name == "changed" {
		t.Error("Holidays returned the cached slice")
	}
}

func TestNewRejectsInvalidOverrides(t *testing.T) {
	good := Override{Date: "2027-04-30", Kind: OverrideDayOff}
	cases := []struct {
		name string
		bad  Override
		want string
	}{
		{"month 13", Override{Date: "2027-13-01", Kind: OverrideDayOff}, `override #2 (date "2027-13-01"`},
		{"30 February", Override{Date: "2027-02-30", Kind: OverrideDayOff}, `override #2 (date "2027-02-30"`},
		{"not padded", Override{Date: "2027-5-4", Kind: OverrideWorkingDay}, `override #2 (date "2027-5-4"`},
		{"day first", Override{Date: "04/05/2027", Kind: OverrideWorkingDay}, `override #2 (date "04/05/2027"`},
		{"empty date", Override{Kind: OverrideDayOff}, `override #2 (date ""`},
		{"unknown kind", Override{Date: "2027-05-08", Kind: "holiday"}, `kind must be "day_off" or "working_day"`},
		{"empty kind", Override{Date: "2027-05-08"}, `kind must be`},
		{"duplicate date", Override{Date: "2027-04-30", Kind: OverrideWorkingDay}, `already overridden by override #1`},
	}
	for _, c := range cases {
		cal, err := New([]Override{good, c.bad, {Date: "2027-05-08", Kind: OverrideWorkingDay}})
		if err == nil || cal != nil {
			t.Errorf("%s: New = %v, %v; want nil and an error", c.name, cal, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not contain %q", c.name, err, c.want)
		}
	}

	// Every bad entry is reported, not just the first.
	_, err := New([]Override{{Date: "2027-02-30", Kind: OverrideDayOff}, good, {Date: "x", Kind: "y"}})
	if err == nil || !strings.Contains(err.Error(), "#1") || !strings.Contains(err.Error(), "#3") || strings.Contains(err.Error(), "#2") {
		t.Errorf("error should name entries #1 and #3 only: %v", err)
	}

	// A calendar already in use is unaffected by a failed New.
	before := mustNew(t, good)
	if _, err := New([]Override{{Date: "2027-04-29", Kind: OverrideDayOff}, {Date: "bad", Kind: OverrideDayOff}}); err == nil {
		t.Fatal("want an error")
	}
	if !before.IsWorkingDay(day(t, "2027-04-29")) {
		t.Error("a failed New changed an existing calendar")
	}
}

func TestZeroCalendar(t *testing.T) {
	var c Calendar
	if c.IsWorkingDay(day(t, "2027-02-08")) {
		t.Error("the zero Calendar must know Tết")
	}
}

func TestFarYears(t *testing.T) {
	// Outside the array cache, and outside the lunar range.
	cal := mustNew(t)
	if cal.IsWorkingDay(day(t, "2500-01-01")) {
		t.Error("1 January is a day off in any year")
	}
	if cal.IsWorkingDay(day(t, "1969-09-02")) || !cal.IsWorkingDay(day(t, "1969-09-03")) {
		t.Error("2 September 1969, a Tuesday, is the only day off that week")
	}
	// The calendar repeats every 400 years, so 1/1/10000 is a Saturday like
	// 1/1/2000; New Year is given back on Monday the 3rd.
	got := cal.AddWorkingDays(time.Date(10000, 1, 1, 9, 0, 0, 0, Location()), 1)
	if got.Format(time.DateOnly) != "10000-01-04" {
		t.Errorf("AddWorkingDays in year 10000 = %s, want Tuesday 10000-01-04", got.Format(time.DateOnly))
	}
}

func TestEndOfDayAcrossOffsetChanges(t *testing.T) {
	// Asia/Ho_Chi_Minh changed its offset several times before 1976. The
	// deadline must still be the last second whose date in Vietnam is the
	// due date. The first two cases were found by fuzzing: 23:59:59 on
	// 31 December 1959 does not exist (UTC+7 to UTC+8 at 23:00) and was
	// normalised into 1 January, and a first fix ("next midnight minus one
	// second") broke 30 June 1955, whose next midnight happened twice.
	cases := []struct {
		from string // a working day before the due date, 09:00 in Vietnam
		want string // last second of the due date, in UTC
	}{
		{"1959-12-30", "1959-12-31T15:59:59Z"}, // day ended 22:59:59 UTC+7
		{"1955-06-29", "1955-06-30T15:59:59Z"}, // 23:59:59 UTC+8
		{"1975-06-11", "1975-06-12T16:59:59Z"}, // 23:00–24:00 ran twice; ends 23:59:59 UTC+7
		{"1942-12-30", "1942-12-31T15:59:59Z"}, // ended 22:59:59 UTC+7
		{"2027-03-03", "2027-03-04T16:59:59Z"}, // an ordinary day
	}
	cal := mustNew(t)
	for _, c := range cases {
		from := day(t, c.from).Add(9 * time.Hour)
		got := cal.AddWorkingDays(from, 1)
		if want := mustTime(t, c.want); !got.Equal(want) {
			t.Errorf("AddWorkingDays(%s, 1) = %v, want %v", c.from, got, want.In(Location()))
		}
		if n := cal.WorkingDaysBetween(from, got); n != 1 {
			t.Errorf("WorkingDaysBetween(%s, %v) = %d, want 1", c.from, got, n)
		}
		if lastSecondOf(got) != got {
			t.Errorf("%v is not the last second of its day", got)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	cal := mustNew(t, swaps2024and2025...)
	want := make(map[int]time.Time)
	ref := mustNew(t, swaps2024and2025...)
	for y := 2020; y < 2040; y++ {
		want[y] = ref.AddWorkingDays(time.Date(y, 1, 1, 9, 0, 0, 0, Location()), 40)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for y := 2020; y < 2040; y++ {
				got := cal.AddWorkingDays(time.Date(y, 1, 1, 9, 0, 0, 0, Location()), 40)
				if !got.Equal(want[y]) {
					errs <- errors.New("concurrent result differs for " + fmt.Sprint(y))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// naiveAdd walks day by day asking IsWorkingDay: slow, but obviously right,
// and independent of the prefix counts AddWorkingDays uses.
func naiveAdd(c *Calendar, from time.Time, n int) time.Time {
	d := from.In(Location())
	d = time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, Location())
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	if n == 0 {
		for !c.IsWorkingDay(d) {
			d = d.AddDate(0, 0, 1)
		}
	}
	for n > 0 {
		d = d.AddDate(0, 0, step)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return lastSecondOf(d)
}

// lastSecondOf walks second by second from 23:59:59 to the last instant
// whose date in Vietnam is d's date.
func lastSecondOf(d time.Time) time.Time {
	y, m, dd := d.In(Location()).Date()
	e := time.Date(y, m, dd, 23, 59, 59, 0, Location())
	for e.Day() != dd { // 23:59:59 fell in a gap and moved to the next day
		e = e.Add(-time.Second)
	}
	for e.Add(time.Second).Day() == dd { // the day runs on (repeated hour)
		e = e.Add(time.Second)
	}
	return e
}

func FuzzAddWorkingDays(f *testing.F) {
	cal := mustNew(f, swaps2024and2025...)
	f.Add(int64(1738368000), 10) // 2025-02-01
	f.Add(int64(1800000000), -7)
	f.Add(int64(1706918400), 0)
	f.Add(int64(1893456000), 600)
	f.Fuzz(func(t *testing.T, unix int64, n int) {
		// Instants from 1900 to 2200, n within a few years of working days.
		const lo, span = -2208988800, 300 * 365 * 86400
		x := time.Unix(lo+int64(mod(int(unix%span), span)), 0)
		n %= 2000

		got := cal.AddWorkingDays(x, n)
		if !cal.IsWorkingDay(got) {
			t.Fatalf("AddWorkingDays(%v, %d) = %v, not a working day", x, n, got)
		}
		// Not always 23:59:59: on 31 March 1947 the next second was 01:00.
		if got.Location() != Location() || !lastSecondOf(got).Equal(got) {
			t.Fatalf("AddWorkingDays(%v, %d) = %v, not the last second of a day in Vietnam", x, n, got)
		}
		if n%40 == 0 || n < 60 && n > -60 { // the day-by-day oracle is slow
			if want := naiveAdd(cal, x, n); !got.Equal(want) {
				t.Fatalf("AddWorkingDays(%v, %d) = %v, walking day by day gives %v", x, n, got, want)
			}
		}
		if n >= 0 {
			k := cal.WorkingDaysBetween(x, got)
			if again := cal.AddWorkingDays(x, k); !again.Equal(got) {
				t.Fatalf("x=%v n=%d: WorkingDaysBetween = %d, AddWorkingDays(x, %d) = %v, want %v", x, n, k, k, again, got)
			}
			if n > 0 && k != n {
				t.Fatalf("x=%v n=%d: WorkingDaysBetween(x, result) = %d", x, n, k)
			}
		} else {
			// Walking back n days and forward again lands on x's own day
			// when it is a working day, else on the next one.
			if back := cal.AddWorkingDays(got, -n); !back.Equal(cal.AddWorkingDays(x, 0)) {
				t.Fatalf("x=%v n=%d: forward again gives %v, want %v", x, n, back, cal.AddWorkingDays(x, 0))
			}
		}
	})
}
