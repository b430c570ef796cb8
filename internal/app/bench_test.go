package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// benchClients is how many submitters run at once.
const benchClients = 8

// runConcurrent calls op b.N times from benchClients goroutines and reports
// throughput and latency percentiles.
func runConcurrent(b *testing.B, op func(i int) error) (perSec, p50, p99 float64) {
	b.Helper()
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	for c := 0; c < benchClients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t0 := time.Now()
				if err := op(i); err != nil {
					failed.Store(err)
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	perSec = float64(b.N) / elapsed.Seconds()
	p50 = float64(lat[b.N*50/100]) / 1e6
	p99 = float64(lat[(b.N*99)/100]) / 1e6
	b.ReportMetric(perSec, "ops/s")
	b.ReportMetric(p50, "p50-ms")
	b.ReportMetric(p99, "p99-ms")
	b.ReportMetric(0, "ns/op") // wall time per op is meaningless with 8 clients
	return
}

// BenchmarkAccept measures POST /api/v1/submissions on a web process over
// a real listener, and in the same run the bare cost of what acceptance
// needs: one insert into the store and one enqueue. Run it with real Redis:
//
//	CIVICDESK_TEST_REDIS_ADDR=127.0.0.1:6379 go test ./internal/app -run '^$' -bench Accept -benchtime 3000x
func BenchmarkAccept(b *testing.B) {
	e := apptest.Start(b, apptest.Options{Mode: apptest.WebOnly})
	body, _ := json.Marshal(apptest.Submission())
	ctx := context.Background()
	var bare, full float64

	b.Run("bare-insert+enqueue", func(b *testing.B) {
		_, _, bare = runConcurrent(b, func(i int) error {
			sub := &desk.Submission{ID: store.NewID(), TrackingCode: desk.NewTrackingCode(), Channel: desk.ChannelWeb,
				Status: desk.SubmissionReceived, Citizen: desk.Citizen{Name: "Nguyễn Văn An", Phone: "+84912345678", Email: "an@example.vn", Province: "Hà Nội"},
				Category: "gia-han-thue", Title: "Chưa được gia hạn nộp thuế", Body: apptest.Submission()["body"], ReceivedAt: time.Now().UTC()}
			sub.Key = "web:auto:" + sub.ID
			if _, _, err := e.App.Store.InsertSubmission(ctx, sub); err != nil {
				return err
			}
			return e.App.Queue.EnqueueIntake(ctx, sub.ID)
		})
	})
	b.Run("http-accept", func(b *testing.B) {
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients}}
		_, _, full = runConcurrent(b, func(i int) error {
			res, err := client.Post(e.URL+"/api/v1/submissions", "application/json", bytes.NewReader(body))
			if err != nil {
				return err
			}
			res.Body.Close()
			if res.StatusCode != http.StatusAccepted {
				return &httpError{res.StatusCode}
			}
			return nil
		})
	})
	if bare > 0 {
		b.Logf("p99: accept path %.2f ms vs bare insert+enqueue %.2f ms: %.2fx", full, bare, full/bare)
	}
}

type httpError struct{ status int }

func (e *httpError) Error() string { return http.StatusText(e.status) }
