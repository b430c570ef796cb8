package calendar

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Usage is the help text of the calendar command.
const Usage = `usage: civicdesk calendar <command> [flags]

commands:
  holidays [--year YYYY]
        list the days off of a year (default: the current year)
  add [--from DATE] --working-days N
        print the deadline N working days after DATE (default: now);
        DATE is YYYY-MM-DD or RFC 3339
  lunar [--date YYYY-MM-DD]
        convert a date (default: today) to the Vietnamese lunar calendar

All dates are in Asia/Ho_Chi_Minh.
`

// UsageError is returned by Command for an unknown command or bad flags;
// its message ends with the usage text so a caller can print it as is.
type UsageError struct {
	// Problem says what was wrong with the arguments.
	Problem string
}

// Error returns the problem followed by the usage text.
func (e *UsageError) Error() string { return "calendar: " + e.Problem + "\n\n" + Usage }

// Command runs the "civicdesk calendar" command with the arguments after
// "calendar", writing to out. now stands for the current time, so that
// defaults ("this year", "now") are testable. -h or --help, alone or after
// a command, prints the usage and succeeds.
func Command(args []string, out io.Writer, cal *Calendar, now time.Time) error {
	if len(args) == 0 {
		return &UsageError{Problem: "missing command"}
	}
	now = now.In(vnLocation)
	switch args[0] {
	case "holidays":
		return holidaysCommand(args[1:], out, cal, now)
	case "add":
		return addCommand(args[1:], out, cal, now)
	case "lunar":
		return lunarCommand(args[1:], out, now)
	case "-h", "-help", "--help", "help":
		_, err := io.WriteString(out, Usage)
		return err
	default:
		return &UsageError{Problem: fmt.Sprintf("unknown command %q", args[0])}
	}
}

// parseFlags parses a subcommand's flags. It returns done=true when help
// was asked for and has been printed.
func parseFlags(fs *flag.FlagSet, args []string, out io.Writer) (done bool, err error) {
	fs.SetOutput(io.Discard) // errors are reported once, with our usage text
	err = fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		_, err = io.WriteString(out, Usage)
		return true, err
	case err != nil:
		return false, &UsageError{Problem: fs.Name() + ": " + err.Error()}
	case fs.NArg() > 0:
		return false, &UsageError{Problem: fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return false, nil
}

func holidaysCommand(args []string, out io.Writer, cal *Calendar, now time.Time) error {
	fs := flag.NewFlagSet("holidays", flag.ContinueOnError)
	year := fs.Int("year", now.Year(), "year to list")
	if done, err := parseFlags(fs, args, out); done || err != nil {
		return err
	}
	if *year < 1 || *year > 9999 {
		return &UsageError{Problem: fmt.Sprintf("holidays: --year %d outside 1..9999", *year)}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "Ngày nghỉ năm %d (Asia/Ho_Chi_Minh)\n", *year)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, h := range cal.Holidays(*year) {
		mark := ""
		switch {
		case h.Kind == KindCompensatory:
			mark = "[nghỉ bù]"
		case h.Kind == KindOverride:
			mark = "[điều chỉnh]"
		case isWeekend(h.Date):
			mark = "(trùng ngày nghỉ cuối tuần)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", h.Date.Format(time.DateOnly), weekdayVI(h.Date), h.Name, mark)
	}
	tw.Flush()
	if makeUp := cal.MakeUpDays(*year); len(makeUp) > 0 {
		b.WriteString("\nNgày làm việc theo điều chỉnh (làm bù)\n")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, m := range makeUp {
			fmt.Fprintf(tw, "%s\t%s\t%s\t[làm bù]\n", m.Date.Format(time.DateOnly), weekdayVI(m.Date), m.Note)
		}
		tw.Flush()
	}
	_, err := io.WriteString(out, trimLines(b.String()))
	return err
}

// trimLines drops the padding tabwriter leaves before an empty last column.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func addCommand(args []string, out io.Writer, cal *Calendar, now time.Time) error {
	fs := flag.NewFlagSet("add", flag.ContinueOnError)
	fromFlag := fs.String("from", "", "start date, YYYY-MM-DD or RFC 3339 (default: now)")
	n := fs.Int("working-days", 0, "number of working days")
	if done, err := parseFlags(fs, args, out); done || err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if !given["working-days"] {
		return &UsageError{Problem: "add: --working-days is required"}
	}
	from := now
	if given["from"] {
		var err error
		if from, err = parseDateOrTime(*fromFlag); err != nil {
			return &UsageError{Problem: "add: --from: " + err.Error()}
		}
	}
	due := cal.AddWorkingDays(from, *n)
	_, err := fmt.Fprintf(out, "%s (%s)\n", due.Format("2006-01-02 15:04:05 -07:00"), weekdayVI(due))
	return err
}

func lunarCommand(args []string, out io.Writer, now time.Time) error {
	fs := flag.NewFlagSet("lunar", flag.ContinueOnError)
	dateFlag := fs.String("date", "", "date, YYYY-MM-DD (default: today)")
	if done, err := parseFlags(fs, args, out); done || err != nil {
		return err
	}
	d := now
	if *dateFlag != "" {
		var err error
		if d, err = time.ParseInLocation(time.DateOnly, *dateFlag, vnLocation); err != nil {
			return &UsageError{Problem: "lunar: --date: " + err.Error()}
		}
	}
	l := SolarToLunar(d.Year(), int(d.Month()), d.Day())
	if l == (LunarDate{}) {
		return &UsageError{Problem: fmt.Sprintf("lunar: year %d outside %d..%d", d.Year(), MinLunarYear, MaxLunarYear)}
	}
	_, err := fmt.Fprintf(out, "%s (%s) = %s âm lịch, năm %s\n",
		d.Format(time.DateOnly), weekdayVI(d), l, YearName(l.Year))
	return err
}

// parseDateOrTime reads a bare date as that day in Vietnam, the way staff
// write dates, and otherwise an RFC 3339 timestamp.
func parseDateOrTime(s string) (time.Time, error) {
	if t, err := time.ParseInLocation(time.DateOnly, s, vnLocation); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither YYYY-MM-DD nor RFC 3339", s)
	}
	return t, nil
}

var weekdaysVI = [7]string{"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}

func weekdayVI(t time.Time) string { return weekdaysVI[t.In(vnLocation).Weekday()] }

func isWeekend(t time.Time) bool {
	wd := t.In(vnLocation).Weekday()
	return wd == time.Saturday || wd == time.Sunday
}
