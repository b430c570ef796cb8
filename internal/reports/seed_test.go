package reports_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/calendar"
	"github.com/civicdesk/civicdesk/internal/desk"
)

var hcm = calendar.Location()

// seedAgencies are where seeded tickets sit; "" is triage. BTC-TCT is a
// unit of BTC, so BTC's staff see both.
var seedAgencies = []string{"BTC", "BTC-TCT", "BHXH", "BYT", ""}

var seedCategory = map[string]string{"BTC": "gia-han-thue", "BTC-TCT": "gia-han-thue", "BHXH": "tam-dung-bhxh", "BYT": "y-te", "": "khac"}

var seedPath = map[string][]string{"BTC": {"BTC"}, "BTC-TCT": {"BTC", "BTC-TCT"}, "BHXH": {"BHXH"}, "BYT": {"BYT"}, "": {"VPCP"}}

var seedProvinces = []string{"Hà Nội", "TP. Hồ Chí Minh", "Đà Nẵng", "Huế", ""}

var seedTitles = []string{"Chưa được gia hạn nộp thuế", "Doanh nghiệp chưa được tạm dừng đóng quỹ hưu trí",
	"Khó khăn khi nhận hỗ trợ lao động", "Bệnh viện từ chối thanh toán bảo hiểm y tế", "Đề nghị giải đáp chính sách"}

// seedTickets makes n tickets received over the 80 days before now,
// deterministically from seed: every channel, the agencies above, open
// tickets with due dates behind and ahead of now, answers early and
// late, hand-overs quick and slow, ratings, closed and quarantined ones.
// Every ticket carries a distinct name, phone, email and title, so tests
// can look for any of them where they must not appear.
//
// phones, when positive, bounds the distinct phone numbers: inserting
// tickets writes one caller-index document per number, which bulk seeds
// of tens of thousands would otherwise pay for one by one.
func seedTickets(n int, now time.Time, seed uint64, phones ...int) []*desk.Ticket {
	return seedTicketsSpan(n, now, seed, 80, phones...)
}

// seedTicketsSpan is seedTickets over the spanDays before now.
func seedTicketsSpan(n int, now time.Time, seed uint64, spanDays int, phones ...int) []*desk.Ticket {
	rng := rand.New(rand.NewPCG(seed, 9))
	channels := []desk.Channel{desk.ChannelWeb, desk.ChannelHotline, desk.ChannelEmail}
	out := make([]*desk.Ticket, 0, n)
	clamp := func(t time.Time) time.Time {
		if t.After(now) {
			return now.Add(-time.Minute)
		}
		return t
	}
	for i := range n {
		created := now.Add(-time.Duration(rng.IntN(spanDays*24*60)) * time.Minute).UTC().Truncate(time.Second)
		agency := seedAgencies[rng.IntN(len(seedAgencies))]
		t := &desk.Ticket{
			ID: fmt.Sprintf("seed%06d", i), TrackingCode: fmt.Sprintf("PA-S%04d-SEED%d", i, seed%10), Version: 1,
			Channel: channels[rng.IntN(3)], Category: seedCategory[agency], Agency: agency, AgencyPath: seedPath[agency],
			Citizen: desk.Citizen{Name: fmt.Sprintf("Người Dân Số%d", i), Phone: fmt.Sprintf("+8490%07d", 1000000+phoneOf(i, phones)),
				Email: fmt.Sprintf("nguoidan%d@thu.example.vn", i), Province: seedProvinces[rng.IntN(len(seedProvinces))]},
			Title:     fmt.Sprintf("%s — hồ sơ số %d", seedTitles[rng.IntN(len(seedTitles))], i),
			Body:      fmt.Sprintf("Nội dung phản ánh bí mật số %d", i),
			CreatedAt: created,
			DueAt:     created.Add(time.Duration(10+rng.IntN(10)) * 24 * time.Hour),
		}
		latest := created
		roll := rng.IntN(100)
		switch {
		case agency == "" && roll < 15:
			t.Status = desk.StatusQuarantined
			t.AgencyPath = []string{}
		case agency == "":
			t.Status = desk.StatusTriage
			t.DueAt = created.Add(time.Duration(3+rng.IntN(5)) * 24 * time.Hour)
		case roll < 35:
			t.Status = []desk.Status{desk.StatusNew, desk.StatusInProgress, desk.StatusAwaitingCitizen}[rng.IntN(3)]
			if t.Status != desk.StatusNew && rng.IntN(2) == 0 {
				t.FirstResponseAt = clamp(created.Add(time.Duration(rng.IntN(6*24)) * time.Hour))
			}
		default:
			t.Status = []desk.Status{desk.StatusAnswered, desk.StatusAnswered, desk.StatusResolved, desk.StatusClosed}[rng.IntN(4)]
			t.FirstResponseAt = clamp(created.Add(time.Duration(rng.IntN(5*24)) * time.Hour))
			if t.Status != desk.StatusClosed || rng.IntN(2) == 0 {
				t.AnsweredAt = clamp(t.FirstResponseAt.Add(time.Duration(rng.IntN(20*24)) * time.Hour))
				latest = t.AnsweredAt
				if rng.IntN(2) == 0 {
					t.Rating = &desk.Rating{Score: 1 + rng.IntN(5), Comment: fmt.Sprintf("Nhận xét riêng %d", i), At: clamp(t.AnsweredAt.Add(time.Hour))}
				}
			}
			if t.Status != desk.StatusAnswered {
				t.ClosedAt = clamp(latest.Add(time.Duration(1+rng.IntN(48)) * time.Hour))
				latest = t.ClosedAt
			}
		}
		if t.FirstResponseAt.After(latest) {
			latest = t.FirstResponseAt
		}
		if agency != "" && rng.IntN(4) == 0 {
			from := seedAgencies[rng.IntN(4)]
			until := clamp(created.Add(time.Duration(1+rng.IntN(12*24)) * time.Hour))
			t.Custody = []desk.Custody{{Agency: from, Since: created, Until: until}, {Agency: agency, Since: until}}
		} else if agency != "" {
			t.Custody = []desk.Custody{{Agency: agency, Since: created}}
		}
		// The SLA sweep flags open tickets past due (half of them here, as
		// if it had not caught up with the rest), and a flag outlives a
		// deadline moved later (every 11th open ticket).
		if t.Open() && ((t.DueAt.Before(now) && i%2 == 0) || i%11 == 0) {
			t.OverdueFlag = true
		}
		t.UpdatedAt = latest
		t.Day = created.In(hcm).Format(time.DateOnly)
		if i%7 == 0 {
			t.Day = "" // older tickets lack the key: the rollup must not depend on it
		}
		out = append(out, t)
	}
	return out
}

// seedCalls makes n hotline calls over the 60 days before now.
func seedCalls(n int, now time.Time, seed uint64) []*desk.Call {
	rng := rand.New(rand.NewPCG(seed, 11))
	out := make([]*desk.Call, 0, n)
	for i := range n {
		start := now.Add(-time.Duration(rng.IntN(60*24*60)) * time.Minute).UTC().Truncate(time.Second)
		c := &desk.Call{ID: fmt.Sprintf("call-%d", i), CallID: fmt.Sprintf("call-%d", i), Phone: fmt.Sprintf("+8491%07d", i),
			Direction: desk.DirectionIn, StartedAt: start, Day: start.In(hcm).Format(time.DateOnly), UpdatedAt: start,
			CallerName: fmt.Sprintf("Người Gọi %d", i)}
		switch r := rng.IntN(10); {
		case r < 2:
			c.Missed = true
			c.EndedAt = start.Add(30 * time.Second)
		case r < 3:
			c.Direction = desk.DirectionOut
			c.AnsweredAt = start.Add(10 * time.Second)
			c.EndedAt = c.AnsweredAt.Add(time.Duration(30+rng.IntN(300)) * time.Second)
		case r < 4:
			c.Blocked = true
			c.EndedAt = start.Add(time.Second)
		default:
			c.AnsweredAt = start.Add(time.Duration(5+rng.IntN(40)) * time.Second)
			c.EndedAt = c.AnsweredAt.Add(time.Duration(60+rng.IntN(900)) * time.Second)
		}
		out = append(out, c)
	}
	return out
}

// insertSeed stores tickets and calls directly and rebuilds the rollups
// (what `civicdesk reports rebuild` does).
func insertSeed(t testing.TB, e *apptest.Env, tickets []*desk.Ticket, calls []*desk.Call) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < len(tickets); i += 1000 {
		if err := e.App.Store.InsertTickets(ctx, tickets[i:min(i+1000, len(tickets))]); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < len(calls); i += 1000 {
		if err := e.App.Store.InsertCalls(ctx, calls[i:min(i+1000, len(calls))]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.App.Reports().Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
}

// webClient signs in through the login form and keeps the session cookie.
type webClient struct {
	t    testing.TB
	base string
	c    *http.Client
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func webLogin(t testing.TB, e *apptest.Env, email, password string) *webClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	w := &webClient{t: t, base: e.URL, c: &http.Client{Jar: jar, Timeout: 2 * time.Minute}}
	_, body := w.get("/staff/login")
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf on the login page")
	}
	res, err := w.c.PostForm(e.URL+"/staff/login", url.Values{"_csrf": {m[1]}, "email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return w
}

func (w *webClient) get(path string) (int, string) {
	w.t.Helper()
	res, err := w.c.Get(w.base + path)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func phoneOf(i int, phones []int) int {
	if len(phones) > 0 && phones[0] > 0 {
		return i % phones[0]
	}
	return i
}
