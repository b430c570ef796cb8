package reports

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// Export formats.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// BOM starts every CSV export: without it Excel reads UTF-8 as the local
// code page and the Vietnamese comes out garbled.
const BOM = "\xEF\xBB\xBF"

// ExportQuery is a validated ticket export request.
type ExportQuery struct {
	Filter store.ExportFilter
	Format string
}

// ParseExport validates an export request: statuses, an agency within
// actor's scope (ENOTFOUND otherwise, like an agency that does not exist)
// and an optional creation-day range.
func (s *Service) ParseExport(actor *desk.User, format string, statuses []string, agency, from, to string) (ExportQuery, error) {
	q := ExportQuery{Format: format}
	if format != FormatCSV && format != FormatXLSX {
		return q, desk.Errorf(desk.EINVALID, "Định dạng xuất phải là csv hoặc xlsx. (Export format must be csv or xlsx.)")
	}
	if len(statuses) > 16 {
		return q, desk.Errorf(desk.EINVALID, "Quá nhiều trạng thái. (Too many statuses.)")
	}
	for _, st := range statuses {
		if st == "" {
			continue
		}
		if !desk.Status(st).Valid() || desk.Status(st) == desk.StatusQuarantined {
			return q, &desk.Error{Code: desk.EINVALID, Message: "Trạng thái không hợp lệ. (Unknown status.)", Fields: map[string]string{"status": st}}
		}
		q.Filter.Statuses = append(q.Filter.Statuses, desk.Status(st))
	}
	if _, err := s.narrow(actor, agency); err != nil {
		return q, err
	}
	q.Filter.Agency = agency
	if from != "" || to != "" {
		p, err := ParsePeriod(from, to, s.Clock.Now(), MaxPeriodDays)
		if err != nil {
			return q, err
		}
		f, _ := dayStart(p.From)
		t, _ := dayStart(p.To)
		q.Filter.From, q.Filter.To = f.UTC(), t.AddDate(0, 0, 1).UTC()
	}
	return q, nil
}

var ticketHeader = []string{"Mã phiếu", "Ngày nhận", "Kênh", "Lĩnh vực", "Cơ quan", "Tỉnh/thành", "Trạng thái",
	"Tiêu đề", "Hạn trả lời", "Phản hồi đầu tiên", "Ngày trả lời", "Ngày đóng", "Quá hạn", "Đánh giá"}

// ticketRow is one export line. The citizen's name, phone and email are
// not exported (the store leaves them out of the projection): staff see
// them on the ticket page, where each view is audited.
func (s *Service) ticketRow(cat *desk.Catalog, now time.Time, t *desk.Ticket) []string {
	ts := func(x time.Time) string {
		if x.IsZero() {
			return ""
		}
		return x.In(locVN()).Format("2006-01-02 15:04")
	}
	agency := t.Agency
	if a := cat.Agency(t.Agency); a != nil {
		agency = a.Name
	}
	category := t.Category
	if c := cat.Category(t.Category); c != nil {
		category = c.Name
	}
	overdue := "không"
	if t.Overdue(now) || (!t.AnsweredAt.IsZero() && !t.DueAt.IsZero() && t.AnsweredAt.After(t.DueAt)) {
		overdue = "có"
	}
	rating := ""
	if t.Rating != nil && t.Rating.Score > 0 {
		rating = strconv.Itoa(t.Rating.Score)
	}
	return []string{t.TrackingCode, ts(t.CreatedAt), string(t.Channel), category, agency, t.Citizen.Province, string(t.Status),
		cell(t.Title), ts(t.DueAt), ts(t.FirstResponseAt), ts(t.AnsweredAt), ts(t.ClosedAt), overdue, rating}
}

// cell defuses spreadsheet formulas in citizen text: a cell starting with
// = + - @ would be evaluated by Excel (CSV injection).
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ExportTickets writes the tickets in actor's scope matching q to w,
// streaming: rows go out as the cursor reads them, in batches, so memory
// stays bounded whatever the count. It returns the number of rows.
func (s *Service) ExportTickets(ctx context.Context, actor *desk.User, q ExportQuery, w io.Writer) (int, error) {
	cat := s.Catalog()
	now := s.Clock.Now()
	rw, finish, err := newRowWriter(q.Format, w, "Phiếu")
	if err != nil {
		return 0, err
	}
	if err := rw(ticketHeader); err != nil {
		return 0, err
	}
	n := 0
	err = s.Store.EachExportTicket(ctx, actor, q.Filter, func(t *desk.Ticket) error {
		n++
		return rw(s.ticketRow(cat, now, t))
	})
	if err != nil {
		return n, err
	}
	return n, finish()
}

var reportHeader = []string{"Mã cơ quan", "Cơ quan", "Tiếp nhận", "Đã trả lời", "Trả lời đúng hạn", "Tỉ lệ đúng hạn (%)",
	"Trung vị ngày làm việc để trả lời", "Số đánh giá", "Điểm đánh giá trung bình"}

// ExportReport writes the periodic report — one line per agency in actor's
// scope and a total line — over p.
func (s *Service) ExportReport(ctx context.Context, actor *desk.User, p Period, format string, w io.Writer) error {
	agencies, err := s.ScopeAgencies(actor)
	if err != nil {
		return err
	}
	t, err := s.AgencyTable(ctx, p, agencies)
	if err != nil {
		return err
	}
	rw, finish, err := newRowWriter(format, w, "Báo cáo")
	if err != nil {
		return err
	}
	// Every line has the header's width: strict CSV readers want that.
	if err := rw([]string{"Kỳ báo cáo", p.From, p.To, "", "", "", "", "", ""}); err != nil {
		return err
	}
	if err := rw(reportHeader); err != nil {
		return err
	}
	f1 := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	for _, a := range t.Agencies {
		med := ""
		if a.MedianAnswerDays != nil {
			med = strconv.Itoa(*a.MedianAnswerDays)
		}
		if err := rw([]string{a.Code, a.Name, itoa(a.Received), itoa(a.Answered), itoa(a.AnsweredOnTime), f1(a.AnswerOnTimePct),
			med, itoa(a.RatingCount), f1(a.RatingAvg)}); err != nil {
			return err
		}
	}
	nat := t.National
	if err := rw([]string{"", "Tổng cộng", itoa(nat.Received), itoa(nat.Answered), itoa(nat.AnsweredOnTime), f1(nat.AnswerOnTimePct),
		"", itoa(nat.RatingCount), f1(nat.RatingAvg)}); err != nil {
		return err
	}
	return finish()
}

// newRowWriter returns a function writing one row in format to w, and
// one that completes the file. CSV rows are flushed every 500 rows so a
// download shows progress; XLSX rows go through excelize's StreamWriter,
// which keeps at most a bounded buffer in memory and spills to a
// temporary file beyond it.
func newRowWriter(format string, w io.Writer, sheet string) (func([]string) error, func() error, error) {
	switch format {
	case FormatCSV:
		if _, err := io.WriteString(w, BOM); err != nil {
			return nil, nil, err
		}
		cw := csv.NewWriter(w)
		rows := 0
		flush := func() error {
			cw.Flush()
			if err := cw.Error(); err != nil {
				return err
			}
			if fw, ok := w.(interface{ Flush() error }); ok {
				return fw.Flush()
			}
			return nil
		}
		return func(r []string) error {
			if err := cw.Write(r); err != nil {
				return err
			}
			// The header goes out at once, so the download starts (and
			// shows progress) before the first batch is read.
			if rows++; rows == 1 || rows%500 == 0 {
				return flush()
			}
			return nil
		}, flush, nil
	case FormatXLSX:
		f := excelize.NewFile()
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			return nil, nil, err
		}
		sw, err := f.NewStreamWriter(sheet)
		if err != nil {
			return nil, nil, err
		}
		row := 0
		return func(r []string) error {
				row++
				vals := make([]any, len(r))
				for i, v := range r {
					vals[i] = v
				}
				name, _ := excelize.CoordinatesToCellName(1, row)
				return sw.SetRow(name, vals)
			}, func() error {
				defer f.Close()
				if err := sw.Flush(); err != nil {
					return err
				}
				_, err := f.WriteTo(w)
				return err
			}, nil
	}
	return nil, nil, fmt.Errorf("unknown export format %q", format)
}
