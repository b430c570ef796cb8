package calendar

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// OverrideKind says what an administrator override does to a date.
type OverrideKind string

const (
	// OverrideDayOff makes a date a day off, e.g. the extra Tết days the
	// Prime Minister grants, or the new date of a day off that was moved.
	OverrideDayOff OverrideKind = "day_off"
	// OverrideWorkingDay makes a date a working day: a make-up Saturday
	// (ngày làm bù), or a computed day off that the government moved away.
	OverrideWorkingDay OverrideKind = "working_day"
)

// Override is one administrator decision for one date. Every year the
// government publishes the exact Tết and holiday-bridge schedule for civil
// servants; overrides are how that schedule reaches the calendar.
type Override struct {
	// Date is the calendar date in Vietnam, formatted YYYY-MM-DD.
	Date string
	// Kind is OverrideDayOff or OverrideWorkingDay.
	Kind OverrideKind
	// Note is free text shown in holiday lists, typically the decision
	// that ordered the change.
	Note string
}

// Kinds of Holiday.
const (
	// KindStatutory is a day off of the Labour Code 2019, art. 112.
	KindStatutory = "statutory"
	// KindCompensatory is the working day given back for a statutory day
	// off that fell on a weekend or on another statutory day off.
	KindCompensatory = "compensatory"
	// KindOverride is a day off added by an administrator override.
	KindOverride = "override"
)

// Holiday is a day off other than an ordinary weekend day.
type Holiday struct {
	// Date is 00:00 of the day in Asia/Ho_Chi_Minh.
	Date time.Time
	// Name is the Vietnamese name, with diacritics, for citizens and staff.
	Name string
	// NameEN is the English name, for logs and foreign-language pages.
	NameEN string
	// Kind is KindStatutory, KindCompensatory or KindOverride.
	Kind string
}

// MakeUpDay is a date an administrator made a working day.
type MakeUpDay struct {
	// Date is 00:00 of the day in Asia/Ho_Chi_Minh.
	Date time.Time
	// Note is the override's note.
	Note string
}

// Calendar is the working-day calendar of Vietnamese state agencies:
// Saturdays and Sundays off, the statutory days off with compensatory days,
// and administrator overrides on top.
//
// A Calendar is immutable once made and safe for concurrent use. To change
// overrides, build a new one with New and swap it in; a failed New leaves
// the old calendar untouched. The zero Calendar is a calendar without
// overrides.
type Calendar struct {
	overrides map[int]Override // by day number

	// Years are computed on first use and kept: the lunar holidays cost
	// far more than a due-date computation may. Years near the present live
	// in an array for a lock-free lookup, the rest of 1..9999 in a map.
	near [nearYears]atomic.Pointer[yearData]
	far  sync.Map // int -> *yearData
}

const (
	nearFirstYear = 1970
	nearYears     = 300
)

// New returns a calendar with the given overrides. Every entry is checked
// before anything is used: a malformed date, an unknown kind or a second
// override for the same date makes New fail with an error naming each bad
// entry, and no calendar is returned.
func New(overrides []Override) (*Calendar, error) {
	c := &Calendar{overrides: make(map[int]Override, len(overrides))}
	firstAt := make(map[int]int, len(overrides))
	var errs []error
	for i, o := range overrides {
		ok := true
		bad := func(format string, args ...any) {
			ok = false
			errs = append(errs, fmt.Errorf("calendar: override #%d (date %q, kind %q): %s",
				i+1, o.Date, o.Kind, fmt.Sprintf(format, args...)))
		}
		if o.Kind != OverrideDayOff && o.Kind != OverrideWorkingDay {
			bad("kind must be %q or %q", OverrideDayOff, OverrideWorkingDay)
		}
		d, err := time.Parse(time.DateOnly, o.Date)
		if err != nil {
			bad("date must be a valid YYYY-MM-DD date: %v", err)
			continue
		}
		day := dayNumber(d.Date())
		if j, dup := firstAt[day]; dup {
			bad("date already overridden by override #%d", j+1)
		}
		if ok {
			firstAt[day] = i
			c.overrides[day] = o
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// IsWorkingDay reports whether the date of t in Vietnam is a working day.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	y, i := dateIndex(t)
	return !c.year(y).isOff(i)
}

// Holidays returns the days off of the given year other than ordinary
// weekend days, sorted by date: statutory days off (listed even when they
// fall on a weekend, as their compensatory days refer to them),
// compensatory days and override days off. A computed day off that an
// override turned into a working day is left out. The slice is the
// caller's to modify.
func (c *Calendar) Holidays(year int) []Holiday {
	return append([]Holiday(nil), c.year(year).holidays...)
}

// MakeUpDays returns the dates of the given year that overrides made
// working days, sorted. The slice is the caller's to modify.
func (c *Calendar) MakeUpDays(year int) []MakeUpDay {
	return append([]MakeUpDay(nil), c.year(year).makeUp...)
}

// AddWorkingDays returns the deadline n working days after from: 23:59:59
// in Asia/Ho_Chi_Minh of the n-th working day strictly after the date of
// from (the day of receipt itself never counts, whatever the hour). On the
// few days before 1976 that a change of Vietnam's UTC offset cut short or
// lengthened, it is that day's actual last second.
//
// n == 0 returns the end of from's own day if it is a working day, else the
// end of the next working day. A negative n counts backwards: the end of
// the |n|-th working day strictly before the date of from.
//
// The result is always the end of a working day. The cost is a few lookups
// for any n up to a year's worth of working days, plus one step per further
// year, so n is meant to be deadline-sized, not arbitrary input.
func (c *Calendar) AddWorkingDays(from time.Time, n int) time.Time {
	y, i := dateIndex(from)
	yd := c.year(y)
	if n == 0 {
		if !yd.isOff(i) {
			return endOfDay(y, i)
		}
		n = 1
	}
	if n > 0 {
		for {
			done := int(yd.cum[i+1]) // working days of this year up to and including day i
			if n <= yd.total()-done {
				return endOfDay(y, yd.nth(done+n))
			}
			n -= yd.total() - done
			y++
			yd, i = c.year(y), -1
		}
	}
	n = -n
	for {
		before := int(yd.cum[i]) // working days of this year strictly before day i
		if n <= before {
			return endOfDay(y, yd.nth(before-n+1))
		}
		n -= before
		y--
		yd = c.year(y)
		i = yd.days
	}
}

// WorkingDaysBetween counts the working days d with date(from) < d <=
// date(to), dates taken in Vietnam; it is 0 when to is not on a later date
// than from. The cost is one step per year spanned. It is the inverse of AddWorkingDays: for n >= 0,
// WorkingDaysBetween(x, AddWorkingDays(x, n)) is n, or 1 when n is 0 and x
// falls on a day off.
func (c *Calendar) WorkingDaysBetween(from, to time.Time) int {
	y1, i1 := dateIndex(from)
	y2, i2 := dateIndex(to)
	if y2 < y1 || y2 == y1 && i2 <= i1 {
		return 0
	}
	a := c.year(y1)
	if y1 == y2 {
		return int(a.cum[i2+1]) - int(a.cum[i1+1])
	}
	n := a.total() - int(a.cum[i1+1])
	for y := y1 + 1; y < y2; y++ {
		n += c.year(y).total()
	}
	return n + int(c.year(y2).cum[i2+1])
}

// dateIndex returns the year and 0-based day of the year of t in Vietnam.
func dateIndex(t time.Time) (year, index int) {
	lt := t.In(vnLocation)
	return lt.Year(), lt.YearDay() - 1
}

// endOfDay returns the last second of the day: 23:59:59, except on the
// few days before 1976 when a change of Vietnam's UTC offset made 23:59:59
// nonexistent (31 December 1959 ended at 22:59:59) or ambiguous (12 June
// 1975 ran 23:00–24:00 twice, and time.Date may pick either occurrence).
func endOfDay(year, index int) time.Time {
	e := time.Date(year, time.January, 1+index, 23, 59, 59, 0, vnLocation)
	if e.Unix()-86400 > steadyOffsetSince {
		return e // the common case, kept to one comparison
	}
	if e.YearDay() == index+1 && e.Add(time.Second).YearDay() != index+1 {
		return e
	}
	// Binary search for the first second of the next day; local dates never
	// go backwards in this zone, so the predicate is monotonic. Vietnam's
	// offsets have all been within UTC+7..+9, so the boundary is within a
	// day of midnight UTC+7.
	next := time.Date(year, time.January, 2+index, 0, 0, 0, 0, time.UTC).Unix() - vnOffset
	after := func(unix int64) bool {
		y, i := dateIndex(time.Unix(unix, 0))
		return y > year || y == year && i > index
	}
	lo, hi := next-86400, next+86400 // after(lo) is false, after(hi) is true
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if after(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return time.Unix(lo, 0).In(vnLocation)
}

// steadyOffsetSince is the Unix time from which, by the loaded time zone
// data, Vietnam keeps one UTC offset for good (1975-06-12 16:00 UTC
// today), so that later days need no check for a shortened or lengthened
// end. It is read from the data rather than hard-coded in case an offset
// change is ever published.
var steadyOffsetSince = func() int64 {
	t := time.Date(3000, time.January, 1, 0, 0, 0, 0, vnLocation)
	if _, end := t.ZoneBounds(); !end.IsZero() {
		return math.MaxInt64 // transitions keep coming: always check
	}
	_, offset := t.Zone()
	// Walk back over zone periods with the same offset: the data splits
	// them for reasons such as the 2038 limit of 32-bit timestamps.
	for {
		start, _ := t.ZoneBounds()
		if start.IsZero() {
			return math.MinInt64 // one offset forever
		}
		before := start.Add(-time.Second)
		if _, o := before.Zone(); o != offset {
			return start.Unix()
		}
		t = before
	}
}()

// yearData is one computed year. It is never modified once published.
type yearData struct {
	first int // day number of 1 January
	days  int // 365 or 366
	// off has bit i set when day i (0 = 1 January) is not a working day.
	off [6]uint64
	// cum[i] is the number of working days among days 0..i-1, so any count
	// of working days in a range is one subtraction.
	cum      [367]uint16
	holidays []Holiday
	makeUp   []MakeUpDay
}

func (yd *yearData) isOff(i int) bool { return yd.off[i>>6]&(1<<(i&63)) != 0 }

func (yd *yearData) setOff(i int, off bool) {
	if off {
		yd.off[i>>6] |= 1 << (i & 63)
	} else {
		yd.off[i>>6] &^= 1 << (i & 63)
	}
}

func (yd *yearData) total() int { return int(yd.cum[yd.days]) }

// nth returns the day index of the k-th (1-based) working day of the year.
func (yd *yearData) nth(k int) int {
	return sort.Search(yd.days, func(j int) bool { return int(yd.cum[j+1]) >= k })
}

func (c *Calendar) year(y int) *yearData {
	if i := y - nearFirstYear; i >= 0 && i < nearYears {
		p := &c.near[i]
		if yd := p.Load(); yd != nil {
			return yd
		}
		// Two goroutines may both build the year; the results are equal
		// and the first stored wins, which is cheaper than a lock.
		p.CompareAndSwap(nil, c.build(y))
		return p.Load()
	}
	if y < MinLunarYear || y > MaxLunarYear {
		// Not cached, so that a runaway count cannot fill memory with
		// years nobody will ask for again; without lunar holidays such a
		// year is cheap to rebuild.
		return c.build(y)
	}
	if v, ok := c.far.Load(y); ok {
		return v.(*yearData)
	}
	v, _ := c.far.LoadOrStore(y, c.build(y))
	return v.(*yearData)
}

func (c *Calendar) build(year int) *yearData {
	yd := &yearData{first: dayNumber(year, time.January, 1)}
	yd.days = dayNumber(year+1, time.January, 1) - yd.first
	weekend := func(i int) bool {
		wd := time.Weekday(mod(yd.first+i+4, 7)) // 1970-01-01 was a Thursday
		return wd == time.Saturday || wd == time.Sunday
	}

	statutory := statutoryDaysOff(year, yd.first)
	compensatory := compensatoryDaysOff(statutory, weekend, yd.days)

	for i := 0; i < yd.days; i++ {
		yd.setOff(i, weekend(i))
	}
	var list []Holiday
	addComputed := func(days []namedDay, kind string) {
		for _, d := range days {
			if o, ok := c.overrides[yd.first+d.index]; ok && o.Kind == OverrideWorkingDay {
				continue
			}
			yd.setOff(d.index, true)
			list = append(list, Holiday{Date: localMidnight(yd.first + d.index), Name: d.name, NameEN: d.nameEN, Kind: kind})
		}
	}
	addComputed(statutory, KindStatutory)
	addComputed(compensatory, KindCompensatory)

	for i := 0; i < yd.days; i++ {
		o, ok := c.overrides[yd.first+i]
		if !ok {
			continue
		}
		date := localMidnight(yd.first + i)
		if o.Kind == OverrideWorkingDay {
			yd.setOff(i, false)
			yd.makeUp = append(yd.makeUp, MakeUpDay{Date: date, Note: o.Note})
			continue
		}
		yd.setOff(i, true)
		name := o.Note
		if name == "" {
			name = "Ngày nghỉ bổ sung"
		}
		list = append(list, Holiday{Date: date, Name: name, NameEN: "Additional day off", Kind: KindOverride})
	}
	sort.SliceStable(list, func(a, b int) bool { return list[a].Date.Before(list[b].Date) })
	yd.holidays = list

	for i := 0; i < yd.days; i++ {
		w := yd.cum[i]
		if !yd.isOff(i) {
			w++
		}
		yd.cum[i+1] = w
	}
	return yd
}

// namedDay is a computed day off: its index in the year and its names.
type namedDay struct {
	index        int
	name, nameEN string
}

// statutoryDaysOff lists the days off of the Labour Code 2019, art. 112,
// for civil servants, in date order. Where the law lets the government pick
// the exact days, the usual choice is made and overrides adjust it.
func statutoryDaysOff(year, first int) []namedDay {
	on := func(m time.Month, d int) int { return dayNumber(year, m, d) - first }
	days := []namedDay{{on(time.January, 1), "Tết Dương lịch", "New Year's Day"}}
	if year >= MinLunarYear && year <= MaxLunarYear {
		// The law gives five days for Tết and the Prime Minister places
		// them each year; the default is the last day of the old lunar year
		// and the first four of the new one. Tết always falls after 20
		// January, so all five are in this Gregorian year.
		tet, _ := lunarToSolar(year, 1, 1, false, vnOffset)
		eve := solarToLunar(tet-1, vnOffset)
		days = append(days, namedDay{tet - 1 - first,
			fmt.Sprintf("Tết Nguyên đán (%d tháng Chạp năm %s)", eve.Day, YearName(year-1)),
			"Lunar New Year's Eve"})
		for i := 0; i < 4; i++ {
			days = append(days, namedDay{tet + i - first,
				fmt.Sprintf("Tết Nguyên đán (mùng %d tháng Giêng năm %s)", i+1, YearName(year)),
				fmt.Sprintf("Lunar New Year (day %d)", i+1)})
		}
		// In a year with a leap third month the commemoration stays in the
		// ordinary third month.
		hung, _ := lunarToSolar(year, 3, 10, false, vnOffset)
		days = append(days, namedDay{hung - first, "Giỗ Tổ Hùng Vương (10/3 âm lịch)", "Hung Kings' Commemoration Day"})
	}
	days = append(days,
		namedDay{on(time.April, 30), "Ngày Chiến thắng (30/4)", "Reunification Day"},
		namedDay{on(time.May, 1), "Ngày Quốc tế Lao động (1/5)", "International Labour Day"},
		namedDay{on(time.September, 2), "Quốc khánh (2/9)", "National Day"},
	)
	// The day next to 2 September exists since the Labour Code 2019 took
	// effect on 1 January 2021.
	if year >= 2021 {
		d := NationalDayAdjacent(year)
		days = append(days, namedDay{on(time.September, d),
			fmt.Sprintf("Quốc khánh (ngày liền kề, %d/9)", d), "National Day (adjacent day)"})
	}
	sort.SliceStable(days, func(a, b int) bool { return days[a].index < days[b].index })
	return days
}

// NationalDayAdjacent returns the day of September (1 or 3) that is taken
// off together with National Day, 2 September. The law allows either; the
// government has chosen the one that joins the holiday to a weekend: 3/9
// in 2021 (2/9 a Thursday) and 2024 (a Monday), 1/9 in 2022 (a Friday),
// 2023 (a Saturday) and 2025 (a Tuesday). When 2/9 is a Sunday, 3/9 is
// taken, which gives the same days off as 1/9 plus compensation would; when
// it is a Wednesday, neither joins a weekend and 1/9 is assumed. Overrides
// correct any year in which the government decides otherwise.
func NationalDayAdjacent(year int) int {
	switch time.Date(year, time.September, 2, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Sunday, time.Monday, time.Thursday:
		return 3
	default:
		return 1
	}
}

// compensatoryDaysOff gives back a working day for every statutory day off
// that falls on a weekend or on a day that is already a statutory day off
// (Labour Code 2019, art. 111(3)). Each goes to the first working day after
// the holiday that is not yet taken, so in a block of several holidays the
// compensatory days follow the whole block in the order of the holidays.
func compensatoryDaysOff(statutory []namedDay, weekend func(int) bool, days int) []namedDay {
	isStatutory := make(map[int]bool, len(statutory))
	for _, d := range statutory {
		isStatutory[d.index] = true
	}
	seen := make(map[int]bool, len(statutory))
	taken := make(map[int]bool)
	var out []namedDay
	for _, d := range statutory {
		lost := weekend(d.index) || seen[d.index]
		seen[d.index] = true
		if !lost {
			continue
		}
		i := d.index + 1
		for i < days && (weekend(i) || isStatutory[i] || taken[i]) {
			i++
		}
		if i >= days {
			continue // unreachable: the last statutory day off is in September
		}
		taken[i] = true
		out = append(out, namedDay{i, "Nghỉ bù " + d.name, "Compensatory day off for " + d.nameEN})
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].index < out[b].index })
	return out
}
