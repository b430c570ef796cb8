package calendar

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func runCommand(t *testing.T, cal *Calendar, now time.Time, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := Command(args, &out, cal, now)
	return out.String(), err
}

// lineFor returns the output line that starts with the given date.
func lineFor(out, date string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, date) {
			return l
		}
	}
	return ""
}

func TestCommandHolidays(t *testing.T) {
	now := mustTime(t, "2026-06-01T10:00:00+07:00")
	out, err := runCommand(t, mustNew(t), now, "holidays", "--year", "2023")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "Ngày nghỉ năm 2023 (Asia/Ho_Chi_Minh)\n") {
		t.Errorf("header missing:\n%s", out)
	}
	if n := strings.Count(out, "\n"); n != 18 {
		t.Errorf("want a header and 17 days off, got %d lines:\n%s", n, out)
	}
	checks := map[string][]string{
		"2023-04-29": {"Thứ Bảy", "Giỗ Tổ Hùng Vương (10/3 âm lịch)", "(trùng ngày nghỉ cuối tuần)"},
		"2023-05-02": {"Thứ Ba", "Nghỉ bù Giỗ Tổ Hùng Vương", "[nghỉ bù]"},
		"2023-01-22": {"Chủ nhật", "mùng 1 tháng Giêng năm Quý Mão"},
		"2023-09-01": {"Thứ Sáu", "Quốc khánh (ngày liền kề, 1/9)"},
	}
	for date, parts := range checks {
		l := lineFor(out, date)
		for _, p := range parts {
			if !strings.Contains(l, p) {
				t.Errorf("line for %s is %q, want it to contain %q", date, l, p)
			}
		}
	}
	if strings.Contains(out, " \n") {
		t.Error("trailing spaces in output")
	}

	// Defaults to the current year in Vietnam: 2026-12-31T20:00Z is already
	// 2027 there.
	out, err = runCommand(t, mustNew(t), mustTime(t, "2026-12-31T20:00:00Z"), "holidays")
	if err != nil || !strings.HasPrefix(out, "Ngày nghỉ năm 2027 ") {
		t.Errorf("default year: %v\n%s", err, out)
	}

	out, err = runCommand(t, mustNew(t, swaps2024and2025...), now, "holidays", "--year=2024")
	if err != nil {
		t.Fatal(err)
	}
	if l := lineFor(out, "2024-04-29"); !strings.Contains(l, "Hoán đổi ngày làm việc") || !strings.Contains(l, "[điều chỉnh]") {
		t.Errorf("override day off: %q", l)
	}
	if l := lineFor(out, "2024-05-04"); !strings.Contains(l, "Thứ Bảy") || !strings.Contains(l, "[làm bù]") {
		t.Errorf("make-up day: %q", l)
	}
}

func TestCommandAdd(t *testing.T) {
	cal := mustNew(t)
	now := mustTime(t, "2027-03-05T22:30:00+07:00") // a Friday evening
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"add", "--from", "2027-02-01", "--working-days", "5"}, "2027-02-15 23:59:59 +07:00 (Thứ Hai)\n"},
		{[]string{"add", "--from", "2027-03-04T20:00:00Z", "--working-days", "1"}, "2027-03-08 23:59:59 +07:00 (Thứ Hai)\n"},
		{[]string{"add", "--working-days", "1"}, "2027-03-08 23:59:59 +07:00 (Thứ Hai)\n"},
		{[]string{"add", "--working-days=-1", "--from=2023-05-04"}, "2023-04-28 23:59:59 +07:00 (Thứ Sáu)\n"},
	}
	for _, c := range cases {
		out, err := runCommand(t, cal, now, c.args...)
		if err != nil || out != c.want {
			t.Errorf("%v: got %q, %v; want %q", c.args, out, err, c.want)
		}
	}
}

func TestCommandLunar(t *testing.T) {
	cases := map[string]string{
		"2024-02-10": "2024-02-10 (Thứ Bảy) = 1/1/2024 âm lịch, năm Giáp Thìn\n",
		"2023-03-22": "2023-03-22 (Thứ Tư) = 1/2 nhuận/2023 âm lịch, năm Quý Mão\n",
	}
	for date, want := range cases {
		out, err := runCommand(t, mustNew(t), time.Now(), "lunar", "--date", date)
		if err != nil || out != want {
			t.Errorf("lunar %s: got %q, %v; want %q", date, out, err, want)
		}
	}
}

func TestCommandErrors(t *testing.T) {
	now := mustTime(t, "2027-03-05T10:00:00+07:00")
	cases := []struct {
		args []string
		want string
	}{
		{nil, "missing command"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"holidays", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"holidays", "--year", "twenty"}, `invalid value "twenty" for flag -year`},
		{[]string{"holidays", "--year", "0"}, "outside 1..9999"},
		{[]string{"holidays", "2027"}, `unexpected argument "2027"`},
		{[]string{"add"}, "--working-days is required"},
		{[]string{"add", "--working-days", "five"}, `invalid value "five"`},
		{[]string{"add", "--from", "2027-02-30", "--working-days", "1"}, `"2027-02-30" is neither YYYY-MM-DD nor RFC 3339`},
		{[]string{"lunar", "--date", "10/02/2024"}, "lunar: --date"},
	}
	for _, c := range cases {
		out, err := runCommand(t, mustNew(t), now, c.args...)
		var ue *UsageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: error %v, want a *UsageError", c.args, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "usage: civicdesk calendar") {
			t.Errorf("%v: error %q, want it to contain %q and the usage", c.args, err, c.want)
		}
		if out != "" {
			t.Errorf("%v: wrote %q on error", c.args, out)
		}
	}
}

func TestCommandHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"add", "-h"}, {"holidays", "--help"}} {
		out, err := runCommand(t, mustNew(t), time.Now(), args...)
		if err != nil || out != Usage {
			t.Errorf("%v: got %q, %v; want the usage", args, out, err)
		}
	}
}
