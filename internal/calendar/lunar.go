package calendar

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// The Vietnamese lunar calendar is an astronomical calendar: a month starts
// on the day (in Vietnam) of a new moon, month 11 is the month containing
// the December solstice, and in a "solstice year" with 13 months the first
// month after month 11 without a principal solar term (a multiple of 30° of
// the Sun's apparent longitude) is the leap month, numbered like the month
// before it. Using the 105°E meridian instead of China's 120°E is what makes
// Tết differ from the Chinese New Year in some years (1985, 2007, 2030).
//
// New moons follow Jean Meeus, Astronomical Algorithms (2nd ed.), ch. 49
// (accurate to well under a minute); the Sun's apparent longitude comes from
// VSOP87 (sun.go). Both are corrected from dynamical to universal time with
// an approximate ΔT. Checked against Hồ Ngọc Đức's published month tables,
// every month start and leap month of 1968–2199 agrees except one: the new
// moon of May 2054 falls within a minute of midnight, where the answer
// depends on a ΔT nobody can know yet. Vietnam has computed its lunar
// calendar for UTC+7 since 1968; earlier almanacs used UTC+8 and are not
// reproduced.

// MinLunarYear and MaxLunarYear bound the years the lunar conversion accepts.
// Astronomically the results are reliable for roughly 1900–2200; outside
// that range the same formulas give a consistent but extrapolated calendar.
const (
	MinLunarYear = 1
	MaxLunarYear = 9999
)

// LunarDate is a date of the Vietnamese lunar calendar (âm lịch).
type LunarDate struct {
	// Year is the lunar year, named by the Gregorian year in which its
	// first month begins (Tết 2024-02-10 starts lunar year 2024, Giáp Thìn).
	Year int
	// Month is 1–12; a leap month repeats the number of the month before it.
	Month int
	// Day is 1–30.
	Day int
	// Leap marks the intercalary month (tháng nhuận).
	Leap bool
}

// String formats the date the way Vietnamese almanacs do: day/month/year,
// with "nhuận" after the month of a leap month.
func (d LunarDate) String() string {
	if d.Leap {
		return fmt.Sprintf("%d/%d nhuận/%d", d.Day, d.Month, d.Year)
	}
	return fmt.Sprintf("%d/%d/%d", d.Day, d.Month, d.Year)
}

var (
	heavenlyStems   = [10]string{"Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý"}
	earthlyBranches = [12]string{"Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi"}
)

// YearName returns the sexagenary (Can Chi) name of a lunar year, e.g.
// "Giáp Thìn" for 2024, as printed on Vietnamese calendars and decisions.
func YearName(lunarYear int) string {
	// Year 4 (and so 2024) was a Giáp Tý year, the start of a 60-year cycle.
	return heavenlyStems[mod(lunarYear-4, 10)] + " " + earthlyBranches[mod(lunarYear-4, 12)]
}

// SolarToLunar converts a Gregorian date to the Vietnamese lunar calendar.
// Out-of-range months and days are normalised as time.Date does
// (2024-02-30 is 2024-03-01). Dates outside Gregorian years
// MinLunarYear..MaxLunarYear, or before Tết of MinLunarYear, yield the zero
// LunarDate, so that every result converts back with LunarToSolar.
func SolarToLunar(y, m, d int) LunarDate {
	day := dayNumber(y, time.Month(m), d)
	gy, _, _ := civilDate(day)
	if gy < MinLunarYear || gy > MaxLunarYear {
		return LunarDate{}
	}
	l := solarToLunar(day, vnOffset)
	if l.Year < MinLunarYear {
		return LunarDate{}
	}
	return l
}

// LunarToSolar returns 00:00 in Vietnam of the given lunar date. It fails
// for a day past the end of a short (29-day) month, for leap=true when that
// year has no such leap month, and for years outside
// MinLunarYear..MaxLunarYear.
func LunarToSolar(lunarYear, lunarMonth, lunarDay int, leap bool) (time.Time, error) {
	day, err := lunarToSolar(lunarYear, lunarMonth, lunarDay, leap, vnOffset)
	if err != nil {
		return time.Time{}, err
	}
	return localMidnight(day), nil
}

func solarToLunar(day, offset int) LunarDate {
	gy, _, _ := civilDate(day)
	sy := solsticeYearFor(gy, offset)
	if day < sy.starts[0] {
		sy = solsticeYearFor(gy-1, offset)
	}
	j := 0
	for day >= sy.starts[j+1] {
		j++
	}
	month, leap := sy.monthAt(j)
	year := sy.year + 1
	if sy.yearOffset(j) < 2 { // months 11 and 12 close the lunar year that began in sy.year
		year = sy.year
	}
	return LunarDate{Year: year, Month: month, Day: day - sy.starts[j] + 1, Leap: leap}
}

func lunarToSolar(lunarYear, lunarMonth, lunarDay int, leap bool, offset int) (int, error) {
	switch {
	case lunarYear < MinLunarYear || lunarYear > MaxLunarYear:
		return 0, fmt.Errorf("calendar: lunar year %d outside %d..%d", lunarYear, MinLunarYear, MaxLunarYear)
	case lunarMonth < 1 || lunarMonth > 12:
		return 0, fmt.Errorf("calendar: lunar month %d outside 1..12", lunarMonth)
	case lunarDay < 1 || lunarDay > 30:
		return 0, fmt.Errorf("calendar: lunar day %d outside 1..30", lunarDay)
	}
	// Months 11 and 12 of a lunar year follow the solstice of the same
	// Gregorian year; months 1–10 belong to the solstice year before it.
	var sy *solsticeYear
	var j int // position of the month counted without any leap month
	if lunarMonth >= 11 {
		sy, j = solsticeYearFor(lunarYear, offset), lunarMonth-11
	} else {
		sy, j = solsticeYearFor(lunarYear-1, offset), lunarMonth+1
	}
	if leap {
		if sy.leap == 0 || sy.leap-1 != j {
			return 0, fmt.Errorf("calendar: lunar year %d has no leap month %d", lunarYear, lunarMonth)
		}
		j = sy.leap
	} else if sy.leap != 0 && j >= sy.leap {
		j++
	}
	if n := sy.starts[j+1] - sy.starts[j]; lunarDay > n {
		return 0, fmt.Errorf("calendar: lunar month %d of %d has %d days, not %d", lunarMonth, lunarYear, n, lunarDay)
	}
	return sy.starts[j] + lunarDay - 1, nil
}

// solsticeYear holds the lunar months from month 11 of one lunar year (the
// one containing the December solstice of Gregorian year "year") up to the
// next month 11. It is the unit in which leap months are decided.
type solsticeYear struct {
	year   int
	months int     // 12 or 13
	leap   int     // index of the leap month in starts, 0 if none (month 11 itself never is)
	starts [14]int // day numbers of the month starts; starts[months] opens the next month 11
}

// monthAt returns the number of the month at index j.
func (s *solsticeYear) monthAt(j int) (month int, leap bool) {
	k := s.yearOffset(j)
	return (10+k)%12 + 1, s.leap != 0 && j == s.leap
}

// yearOffset maps index j to the position the month would have without the
// leap month (0 for month 11, 1 for month 12, 2 for month 1, ...).
func (s *solsticeYear) yearOffset(j int) int {
	if s.leap != 0 && j >= s.leap {
		return j - 1
	}
	return j
}

type solsticeKey struct{ year, offset int }

// solsticeYears caches computed solstice years: computing one costs some
// hundred new-moon and solar evaluations, and holiday computation, the CLI
// and fuzzing convert many dates of the same few years.
var solsticeYears sync.Map // solsticeKey -> *solsticeYear

func solsticeYearFor(year, offset int) *solsticeYear {
	key := solsticeKey{year, offset}
	if v, ok := solsticeYears.Load(key); ok {
		return v.(*solsticeYear)
	}
	v, _ := solsticeYears.LoadOrStore(key, computeSolsticeYear(year, offset))
	return v.(*solsticeYear)
}

func computeSolsticeYear(year, offset int) *solsticeYear {
	a, b := month11(year, offset), month11(year+1, offset)
	s := &solsticeYear{year: year, months: b - a}
	if s.months < 12 || s.months > 13 {
		// Only reachable if the astronomy were broken; failing loudly beats
		// a silently wrong calendar.
		panic(fmt.Sprintf("calendar: solstice year %d has %d lunar months", year, s.months))
	}
	for i := 0; i <= s.months; i++ {
		s.starts[i] = newMoonDay(a+i, offset)
	}
	if s.months == 13 {
		// A month has no principal term when the Sun is in the same 30°
		// sector at its first and at the next month's first midnight.
		term := principalTerm(s.starts[1], offset)
		for i := 1; i < s.months; i++ {
			next := principalTerm(s.starts[i+1], offset)
			if next == term {
				s.leap = i
				break
			}
			term = next
		}
		if s.leap == 0 {
			panic(fmt.Sprintf("calendar: no month without principal term in solstice year %d", year))
		}
	}
	return s
}

// month11 returns the index of the new moon that starts month 11 of the
// given Gregorian year: the last new moon on or before the day (in the
// given zone) of the December solstice.
func month11(year, offset int) int {
	dec31 := dayNumber(year, time.December, 31)
	// Index of the mean new moon before 31 December, then correct for the
	// true moon's up to ±14 h departure from the mean.
	k := int(math.Floor(float64(dec31-newMoonEpochDay) / synodicMonth))
	for newMoonDay(k+1, offset) <= dec31 {
		k++
	}
	for newMoonDay(k, offset) > dec31 {
		k--
	}
	// That new moon falls in December; if the Sun had already passed 270°
	// at the start of its day, the solstice belongs to the month before.
	if principalTerm(newMoonDay(k, offset), offset) >= 9 {
		k--
	}
	return k
}

const (
	synodicMonth    = 29.530588861
	newMoonEpochDay = 10962     // 2000-01-06, the day of Meeus's new moon k = 0
	unixEpochJD     = 2440587.5 // Julian date of 1970-01-01 00:00 UT
	j2000           = 2451545.0
)

// newMoonDay returns the day number (in the zone with the given offset in
// seconds) on which new moon k occurs.
func newMoonDay(k, offset int) int {
	jd := newMoonJDE(k)
	jd -= deltaT(jd) / 86400
	return int(math.Floor(jd - unixEpochJD + float64(offset)/86400))
}

// principalTerm returns the 30° sector (0–11) of the Sun's apparent
// longitude at the midnight that begins the given day in the given zone.
func principalTerm(day, offset int) int {
	jd := unixEpochJD + float64(day) - float64(offset)/86400
	return int(sunLongitude(jd) / 30)
}

// newMoonTerm is one periodic term of the true new moon: coef × E^ePow ×
// sin(mp·M' + m·M + f·F).
type newMoonTerm struct {
	coef      float64
	ePow      int
	mp, m, f  float64
	omegaTerm bool // the one term in sin Ω instead of the anomalies
}

// Meeus, table in ch. 49, "New Moon" column.
var newMoonTerms = [...]newMoonTerm{
	{coef: -0.40720, mp: 1},
	{coef: 0.17241, ePow: 1, m: 1},
	{coef: 0.01608, mp: 2},
	{coef: 0.01039, f: 2},
	{coef: 0.00739, ePow: 1, mp: 1, m: -1},
	{coef: -0.00514, ePow: 1, mp: 1, m: 1},
	{coef: 0.00208, ePow: 2, m: 2},
	{coef: -0.00111, mp: 1, f: -2},
	{coef: -0.00057, mp: 1, f: 2},
	{coef: 0.00056, ePow: 1, mp: 2, m: 1},
	{coef: -0.00042, mp: 3},
	{coef: 0.00042, ePow: 1, m: 1, f: 2},
	{coef: 0.00038, ePow: 1, m: 1, f: -2},
	{coef: -0.00024, ePow: 1, mp: 2, m: -1},
	{coef: -0.00017, omegaTerm: true},
	{coef: -0.00007, mp: 1, m: 2},
	{coef: 0.00004, mp: 2, f: -2},
	{coef: 0.00004, m: 3},
	{coef: 0.00003, mp: 1, m: 1, f: -2},
	{coef: 0.00003, mp: 2, f: 2},
	{coef: -0.00003, mp: 1, m: 1, f: 2},
	{coef: 0.00003, mp: 1, m: -1, f: 2},
	{coef: -0.00002, mp: 1, m: -1, f: -2},
	{coef: -0.00002, mp: 3, m: 1},
	{coef: 0.00002, mp: 4},
}

// Planetary arguments A1–A14 of ch. 49: base and rate per lunation (both
// in degrees) and the amplitude in days. A1 also has a T² term.
var planetaryTerms = [...]struct{ base, rate, amp float64 }{
	{299.77, 0.107408, 0.000325},
	{251.88, 0.016321, 0.000165},
	{251.83, 26.651886, 0.000164},
	{349.42, 36.412478, 0.000126},
	{84.66, 18.206239, 0.000110},
	{141.74, 53.303771, 0.000062},
	{207.14, 2.453732, 0.000060},
	{154.84, 7.306860, 0.000056},
	{34.52, 27.261239, 0.000047},
	{207.19, 0.121824, 0.000042},
	{291.34, 1.844379, 0.000040},
	{161.72, 24.198154, 0.000037},
	{239.56, 25.513099, 0.000035},
	{331.55, 3.592518, 0.000023},
}

// newMoonJDE returns the Julian Ephemeris Day (dynamical time) of the true
// new moon with index k, k = 0 being the new moon of 2000-01-06.
func newMoonJDE(k int) float64 {
	kf := float64(k)
	t := kf / 1236.85
	t2 := t * t
	t3 := t2 * t
	t4 := t3 * t
	jde := 2451550.09766 + synodicMonth*kf + 0.00015437*t2 - 0.000000150*t3 + 0.00000000073*t4

	e := 1 - 0.002516*t - 0.0000074*t2
	m := radians(2.5534 + 29.10535670*kf - 0.0000014*t2 - 0.00000011*t3)
	mp := radians(201.5643 + 385.81693528*kf + 0.0107582*t2 + 0.00001238*t3 - 0.000000058*t4)
	f := radians(160.7108 + 390.67050284*kf - 0.0016118*t2 - 0.00000227*t3 + 0.000000011*t4)
	omega := radians(124.7746 - 1.56375588*kf + 0.0020672*t2 + 0.00000215*t3)

	for _, p := range newMoonTerms {
		if p.omegaTerm {
			jde += p.coef * math.Sin(omega)
			continue
		}
		c := p.coef
		for i := 0; i < p.ePow; i++ {
			c *= e
		}
		jde += c * math.Sin(p.mp*mp+p.m*m+p.f*f)
	}
	for i, p := range planetaryTerms {
		arg := p.base + p.rate*kf
		if i == 0 {
			arg -= 0.009173 * t2
		}
		jde += p.amp * math.Sin(radians(arg))
	}
	return jde
}

// deltaT approximates TT − UT in seconds at the given Julian date, after
// the polynomials of Espenak and Meeus (NASA, 2006). It shifts instants by
// about a minute today, which decides the day of a new moon close to
// midnight.
func deltaT(jd float64) float64 {
	y := 2000 + (jd-j2000)/365.25
	switch {
	case y < 1900 || y >= 2150:
		u := (y - 1820) / 100
		return -20 + 32*u*u
	case y < 1920:
		t := y - 1900
		return -2.79 + 1.494119*t - 0.0598939*t*t + 0.0061966*t*t*t - 0.000197*t*t*t*t
	case y < 1941:
		t := y - 1920
		return 21.20 + 0.84493*t - 0.076100*t*t + 0.0020936*t*t*t
	case y < 1961:
		t := y - 1950
		return 29.07 + 0.407*t - t*t/233 + t*t*t/2547
	case y < 1986:
		t := y - 1975
		return 45.45 + 1.067*t - t*t/260 - t*t*t/718
	case y < 2005:
		t := y - 2000
		return 63.86 + 0.3345*t - 0.060374*t*t + 0.0017275*t*t*t + 0.000651814*t*t*t*t + 0.00002373599*t*t*t*t*t
	case y < 2050:
		t := y - 2000
		return 62.92 + 0.32217*t + 0.005589*t*t
	default:
		u := (y - 1820) / 100
		return -20 + 32*u*u - 0.5628*(2150-y)
	}
}

func radians(deg float64) float64 { return deg * math.Pi / 180 }

func mod(a, n int) int {
	r := a % n
	if r < 0 {
		r += n
	}
	return r
}
