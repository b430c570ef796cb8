// Package calendar is the Vietnamese working-day calendar used for every
// deadline in civicdesk: the Vietnamese lunisolar calendar (computed, not
// tabulated), the statutory days off of the Labour Code 2019 with their
// compensatory days, administrator overrides, and working-day arithmetic.
//
// All dates are calendar dates in Vietnam (Asia/Ho_Chi_Minh): a ticket
// received at 23:30 in Hà Nội belongs to that day even though it is already
// the next day in UTC+8 and still the same day in UTC.
package calendar

import (
	"time"
	_ "time/tzdata" // agencies' servers are often minimal images without /usr/share/zoneinfo
)

// vnOffset is Vietnam's standard offset. Besides serving as the fallback
// zone it is the meridian (105°E) of the Vietnamese lunar calendar.
const vnOffset = 7 * 60 * 60

var vnLocation = loadLocation()

func loadLocation() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		// Unreachable with time/tzdata linked in, but a fixed UTC+7 zone is
		// correct for every date since 1975, so it is a safe fallback.
		return time.FixedZone("ICT", vnOffset)
	}
	return loc
}

// Location returns the Asia/Ho_Chi_Minh time zone in which every calendar
// date of this package is taken.
func Location() *time.Location { return vnLocation }

// dayNumber returns the number of days from 1970-01-01 to the given date of
// the proleptic Gregorian calendar. Out-of-range months and days are
// normalised as time.Date does.
func dayNumber(y int, m time.Month, d int) int {
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// civilDate is the inverse of dayNumber.
func civilDate(day int) (int, time.Month, int) {
	return time.Unix(int64(day)*86400, 0).UTC().Date()
}

// localMidnight returns 00:00 in Vietnam of the given day number.
func localMidnight(day int) time.Time {
	y, m, d := civilDate(day)
	return time.Date(y, m, d, 0, 0, 0, 0, vnLocation)
}
