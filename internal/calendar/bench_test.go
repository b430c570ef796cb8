package calendar

import (
	"testing"
	"time"
)

var sinkTime time.Time

// BenchmarkAddWorkingDays is one due-date computation: 10 working days
// from a receipt time spread over a year, with the year already cached as
// it is in a running server.
func BenchmarkAddWorkingDays(b *testing.B) {
	cal := mustNew(b, swaps2024and2025...)
	starts := make([]time.Time, 365)
	for i := range starts {
		starts[i] = time.Date(2027, 1, 1+i, 9, 30, 0, 0, Location())
	}
	cal.AddWorkingDays(starts[0], 10) // fill the cache for 2027 and 2028
	cal.AddWorkingDays(starts[364], 10)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		sinkTime = cal.AddWorkingDays(starts[n%len(starts)], 10)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "due-dates/s")
}

func BenchmarkWorkingDaysBetween(b *testing.B) {
	cal := mustNew(b)
	from := time.Date(2027, 2, 1, 9, 30, 0, 0, Location())
	to := time.Date(2027, 3, 15, 16, 0, 0, 0, Location())
	var sink int
	for b.Loop() {
		sink += cal.WorkingDaysBetween(from, to)
	}
	_ = sink
}

// BenchmarkYearCold is the one-off cost of a year the calendar has not
// seen: the lunar computation (new moons and solar terms) and the holiday
// rules.
func BenchmarkYearCold(b *testing.B) {
	y := 2100
	for b.Loop() {
		solsticeYears.Clear()
		var c Calendar
		c.IsWorkingDay(time.Date(y, 6, 1, 0, 0, 0, 0, Location()))
	}
}
