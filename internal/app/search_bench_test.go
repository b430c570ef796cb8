package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/search"
	"github.com/civicdesk/civicdesk/workers"
)

// BenchmarkSearchableAfterSubmit is acceptance 4 of issue 7: 500
// submissions are posted by 8 clients at once through the real API and
// queue (intake:process, then ticket:index) on the embedded stack, and the
// time from each 202 until its ticket is in the search index is measured.
// A watcher lists the index's ids every 5 ms; each ticket's latency is the
// first listing that holds it minus its 202, so the resolution is 5 ms.
// It also reports how long the 202 itself took: the clients send as fast
// as they are answered, so this is the system at saturation, and the
// accept path and intake share the one SQLite writer.
//
//	go test ./internal/app -run '^$' -bench SearchableAfterSubmit -benchtime 1x -timeout 20m
func BenchmarkSearchableAfterSubmit(b *testing.B) {
	const n = 500
	for range b.N {
		// The reconciler runs as configured in production: apptest's 1 s
		// grace, meant for the recovery tests, would queue a second copy of
		// every intake task a burst keeps waiting for more than a second.
		env := apptest.Start(b, apptest.Options{Configure: func(c *config.Config) {
			d := config.Default()
			c.ReconcileEvery, c.ReconcileGrace = d.ReconcileEvery, d.ReconcileGrace
		}})
		lister := env.App.Index.(search.IDLister)
		var mu sync.Mutex
		seen := map[string]time.Time{}
		stop := make(chan struct{})
		watched := make(chan struct{})
		go func() {
			defer close(watched)
			for {
				ids, err := lister.IDs(context.Background())
				now := time.Now()
				if err == nil {
					mu.Lock()
					for _, id := range ids {
						if _, ok := seen[id]; !ok {
							seen[id] = now
						}
					}
					mu.Unlock()
				}
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
		accepted := make([]time.Time, n)
		took := make([]time.Duration, n) // request sent → 202
		codes := make([]string, n)
		b.ResetTimer()
		var wg sync.WaitGroup
		next := make(chan int)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					s := apptest.Submission()
					s["title"] = fmt.Sprintf("Phản ánh số %d về gia hạn nộp thuế", i)
					s["body"] = fmt.Sprintf("Doanh nghiệp số %d đã nộp hồ sơ đề nghị gia hạn nộp thuế từ tháng %d nhưng chưa nhận được phản hồi.", i, 1+i%12)
					s["phone"] = fmt.Sprintf("09%08d", i)
					t0 := time.Now()
					codes[i] = env.Submit(s)
					accepted[i] = time.Now()
					took[i] = accepted[i].Sub(t0)
				}
			}()
		}
		for i := range n {
			next <- i
		}
		close(next)
		wg.Wait()
		submitted := time.Now()
		for {
			mu.Lock()
			got := len(seen)
			mu.Unlock()
			if got >= n {
				break
			}
			if time.Since(submitted) > 5*time.Minute {
				tickets, _ := env.App.Store.CountTickets(context.Background())
				b.Fatalf("after 5 min: %d of %d indexed, %d tickets in the store", got, n, tickets)
			}
			time.Sleep(50 * time.Millisecond)
		}
		close(stop)
		<-watched
		b.StopTimer()
		admin := &desk.User{Role: desk.RoleAdmin}
		lat := make([]time.Duration, 0, n)
		for i, code := range codes {
			t, err := env.App.Store.TicketByCode(context.Background(), admin, code)
			if err != nil {
				b.Fatal(err)
			}
			at, ok := seen[t.ID]
			if !ok {
				b.Fatalf("%s never indexed", code)
			}
			lat = append(lat, max(at.Sub(accepted[i]), 0))
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		p50, p99, worst := lat[n*50/100], lat[n*99/100], lat[n-1]
		b.ReportMetric(float64(p50)/1e6, "p50-ms")
		b.ReportMetric(float64(p99)/1e6, "p99-ms")
		b.ReportMetric(float64(worst)/1e6, "max-ms")
		first, last := accepted[0], accepted[0]
		for _, a := range accepted {
			if a.Before(first) {
				first = a
			}
			if a.After(last) {
				last = a
			}
		}
		slices.Sort(took)
		b.ReportMetric(float64(took[n*99/100])/1e6, "submit-p99-ms")
		fmt.Printf("searchable after 202, %d tickets, 8 clients, embedded: p50 %v p99 %v max %v min %v; the 202s spanned %v; the 202 took p50 %v p99 %v\n",
			n, p50, p99, worst, lat[0], last.Sub(first), took[n/2], took[n*99/100])
		if p99 > 2*time.Second {
			b.Errorf("p99 %v over the 2 s target", p99)
		}
		env.Stop()
	}
}

// seedSearchTickets puts n tickets straight into the store (bulk) and the
// search index (Rebuild), spread over the agencies, with varied wording.
func seedSearchTickets(tb testing.TB, env *apptest.Env, n int) {
	tb.Helper()
	ctx := context.Background()
	topics := []string{"chậm chi trả trợ cấp thất nghiệp", "gia hạn nộp thuế thu nhập cá nhân", "vay vốn trả lương ngừng việc",
		"tạm dừng đóng bảo hiểm xã hội", "hỗ trợ tiền thuê nhà công nhân", "khám chữa bệnh bảo hiểm y tế", "học phí trường công lập",
		"đăng kiểm xe ô tô", "hỗ trợ hộ kinh doanh", "giấy phép lao động"}
	provinces := []string{"Hà Nội", "Đà Nẵng", "TP Hồ Chí Minh", "Cần Thơ", "Hải Phòng", "Nghệ An"}
	now := time.Now().UTC()
	seedTickets(tb, env, n, now, func(i int, t *desk.Ticket) *desk.Submission {
		tp := topics[(i/3)%len(topics)]
		t.Citizen = desk.Citizen{Name: "Công dân", Province: provinces[i%len(provinces)]}
		t.Title = "Phản ánh " + tp
		t.Body = fmt.Sprintf("Kính gửi cơ quan, tôi phản ánh việc %s, hồ sơ số %d nộp từ lâu chưa được giải quyết.", tp, i)
		t.DueAt = t.CreatedAt.Add(time.Duration(i%40) * 24 * time.Hour)
		return nil
	})
	// The index is built the way `civicdesk reindex` builds it.
	err := env.App.Index.(search.Rebuilder).Rebuild(ctx, n, func(ctx context.Context, put func(...search.Doc) error) error {
		return env.App.Store.EachTicket(ctx, func(t *desk.Ticket) error { return put(workers.TicketDoc(t, now)) })
	}, nil)
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkStaffSearchHTTP is the staff search request of issue 7's
// acceptance 6: GET /api/v1/tickets?q=<2 words> by an agency's staff over
// HTTP, with 20k tickets in the embedded store and index; facets and
// highlights included, 20 hits a page, each re-checked in the store.
//
//	go test ./internal/app -run '^$' -bench StaffSearchHTTP -benchtime 300x -timeout 30m
func BenchmarkStaffSearchHTTP(b *testing.B) {
	env := apptest.Start(b, apptest.Options{})
	seedSearchTickets(b, env, 20_000)
	staff := env.CreateUser("bench@molisa.test", desk.RoleStaff, "BLDTBXH")
	queries := []string{"trợ cấp", "gia han", "bảo hiểm", "hoc phi", "tiền thuê", "ho so", "đăng kiểm", "vay vốn"}
	req := func(i int) error {
		r, err := http.NewRequest("GET", env.URL+"/api/v1/tickets?q="+url.QueryEscape(queries[i%len(queries)]), nil)
		if err != nil {
			return err
		}
		r.Header.Set("Authorization", "Bearer "+staff)
		res, err := env.Client.Do(r)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		var sb strings.Builder
		_, _ = fmt.Fprint(&sb, res.Status)
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("search: %s", sb.String())
		}
		return nil
	}
	for i := range 20 { // warm up
		if err := req(i); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		if err := req(i); err != nil {
			b.Fatal(err)
		}
		lat[i] = time.Since(t0)
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p50, p99 := lat[b.N*50/100], lat[b.N*99/100]
	b.ReportMetric(float64(p50)/1e6, "p50-ms")
	b.ReportMetric(float64(p99)/1e6, "p99-ms")
	fmt.Printf("staff search over HTTP, 20k tickets, 2-word queries, %d requests: p50 %v p99 %v\n", b.N, p50, p99)
}
