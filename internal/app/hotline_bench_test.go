package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/embedded"
	"github.com/civicdesk/civicdesk/internal/hotline"
	"github.com/civicdesk/civicdesk/internal/store"
)

// BenchmarkCTIWebhook measures CTI events accepted per second by POST
// /api/v1/cti/{token} on a web process over a real listener: calls of
// three form-encoded events each (newCall, answer, hangup) from distinct
// numbers, eight PBX connections at once, so events of one call may
// arrive out of order as they would from a busy PBX.
//
//	go test ./internal/app -run '^$' -bench CTIWebhook -benchtime 3000x
func BenchmarkCTIWebhook(b *testing.B) {
	e := apptest.Start(b, apptest.Options{Mode: apptest.WebOnly, Configure: func(c *config.Config) {
		c.CTIToken = ctiToken
		c.LimitCTI = "0/1s"
	}})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients}}
	events := []string{"newCall", "answer", "hangup"}
	runConcurrent(b, func(i int) error {
		call := i / 3
		v := url.Values{"event": {events[i%3]}, "callId": {fmt.Sprintf("bench-%d", call)}, "direction": {"in"},
			"from": {fmt.Sprintf("09%08d", call)}, "to": {"19001234"}}
		if i%3 == 1 {
			v.Set("user[]", "Lan")
		}
		if i%3 == 2 {
			v.Set("cause", "normalClearing")
		}
		res, err := client.Post(e.URL+"/api/v1/cti/"+ctiToken, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
		if err != nil {
			return err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("event %d: status %d", i, res.StatusCode)
		}
		return nil
	})
}

// BenchmarkCallerHistory measures the caller-history lookup the console
// makes on every incoming call, with 10,000 tickets and 30,000 calls in
// the store, and counts the database round trips it makes with a command
// monitor on the driver. The store is the embedded FerretDB v1 on SQLite
// unless CIVICDESK_BENCH_MONGO_URI names a MongoDB.
//
//	go test ./internal/app -run '^$' -bench CallerHistory -benchtime 200x -timeout 30m
func BenchmarkCallerHistory(b *testing.B) {
	ctx := context.Background()
	uri, ferret := benchMongo(b)
	var commands atomic.Int64
	mon := &event.CommandMonitor{Started: func(context.Context, *event.CommandStartedEvent) { commands.Add(1) }}
	dbName := fmt.Sprintf("bench_history_%d", time.Now().UnixNano())
	st, err := store.Open(ctx, uri, dbName, func(o *options.ClientOptions) { o.SetMonitor(mon) })
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close(ctx) })
	if os.Getenv("CIVICDESK_BENCH_MONGO_URI") == "" {
		st.SerializeWrites()                  // as the app does on its embedded store
		st.UseReads(store.NewMemoryReads(st)) // loaded below, after the seeding
	}
	if err := st.EnsureIndexes(ctx); err != nil {
		b.Fatal(err)
	}
	const nTickets, nCalls, nPhones = 10_000, 30_000, 4_000
	// Seed as an import would: tickets and calls straight into the
	// database in batches, then one "civicdesk callers rebuild" pass. The
	// store's own inserts keep the caller index as they go, one caller
	// update per ticket or call, which at 40,000 documents takes longer
	// than the benchmark should.
	raw, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = raw.Disconnect(ctx) })
	seedHistory(b, raw.Database(dbName), nTickets, nCalls, nPhones)
	if n, err := st.RebuildCallers(ctx); err != nil || n != nPhones {
		b.Fatalf("rebuild callers: %d, %v", n, err)
	}
	if ferret != nil { // as the app does at start (embedded/idindex.go)
		if _, err := ferret.IndexIDs(ctx, dbName); err != nil {
			b.Fatal(err)
		}
		// The read model and the call memo, loaded as at start.
		loaded := make(chan error, 1)
		st.StartReadModel(ctx, func(_ int, _ time.Duration, err error) { loaded <- err })
		if err := <-loaded; err != nil {
			b.Fatal(err)
		}
	}

	svc := &hotline.Service{Store: st, Clock: desk.SystemClock{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	op := &desk.User{ID: "op", Role: desk.RoleOperator}
	phoneOf := func(i int) string { return fmt.Sprintf("09%08d", i%nPhones) }
	// Every caller has 2-3 tickets and 7-8 calls.
	if h, err := svc.CallerHistory(ctx, op, phoneOf(7)); err != nil || len(h.Tickets) < 2 || len(h.Calls) < 7 {
		b.Fatalf("history of a seeded caller: %+v %v", h, err)
	}
	// The lookups run as a sub-benchmark so that the testing package runs
	// this function, and so the seeding, once: it calls a benchmark that
	// has sub-benchmarks only with b.N = 1.
	b.Run("lookup", func(b *testing.B) {
		lat := make([]time.Duration, b.N)
		commands.Store(0)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			if _, err := svc.CallerHistory(ctx, op, phoneOf(i*7919)); err != nil {
				b.Fatal(err)
			}
			lat[i] = time.Since(t0)
		}
		b.StopTimer()
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		b.ReportMetric(float64(commands.Load())/float64(b.N), "round-trips/op")
		b.ReportMetric(float64(lat[b.N/2])/1e6, "p50-ms")
		b.ReportMetric(float64(lat[b.N*99/100])/1e6, "p99-ms")
	})
	// The operator console's missed-call list (the 20 latest missed calls)
	// and the call log of one day, over the same 30,000 calls.
	missed := true
	day := hotline.Day(time.Date(2026, 2, 10, 5, 0, 0, 0, time.UTC))
	for _, c := range []struct {
		name string
		f    desk.CallFilter
	}{{"missed-list", desk.CallFilter{Missed: &missed, Limit: 20}}, {"day-log", desk.CallFilter{Day: day, Limit: 100}}} {
		b.Run(c.name, func(b *testing.B) {
			lat := make([]time.Duration, b.N)
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				calls, err := svc.Calls(ctx, op, c.f)
				if err != nil || len(calls) == 0 {
					b.Fatalf("%s: %d calls, %v", c.name, len(calls), err)
				}
				lat[i] = time.Since(t0)
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[b.N/2])/1e6, "p50-ms")
			b.ReportMetric(float64(lat[b.N*99/100])/1e6, "p99-ms")
		})
	}
}

func benchMongoURI(b *testing.B) string {
	uri, _ := benchMongo(b)
	return uri
}

// benchMongo is benchMongoURI with the embedded server, if one was started,
// so that a benchmark can give it the _id lookup indexes as the app does.
func benchMongo(b *testing.B) (string, *embedded.Mongo) {
	if uri := strings.TrimSpace(os.Getenv("CIVICDESK_BENCH_MONGO_URI")); uri != "" {
		return uri, nil
	}
	m, err := embedded.StartMongo(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = m.Close() })
	return m.URI(), m
}

// seedHistory inserts tickets and calls in batches of 1,000 straight into
// the database, spread over nPhones callers.
func seedHistory(b *testing.B, db *mongo.Database, nTickets, nCalls, nPhones int) {
	ctx := context.Background()
	base := time.Date(2026, 1, 5, 2, 0, 0, 0, time.UTC)
	statuses := []desk.Status{desk.StatusNew, desk.StatusInProgress, desk.StatusAnswered, desk.StatusClosed, desk.StatusTriage}
	body := strings.Repeat("Doanh nghiệp chưa nhận được khoản hỗ trợ theo quy định. ", 6)
	for start := 0; start < nTickets; start += 1000 {
		batch := make([]any, 0, 1000)
		for i := start; i < start+1000 && i < nTickets; i++ {
			at := base.Add(time.Duration(i) * 17 * time.Minute)
			batch = append(batch, &desk.Ticket{ID: fmt.Sprintf("t%06d", i), TrackingCode: desk.NewTrackingCode(), Version: 3,
				Status: statuses[i%len(statuses)], Channel: desk.ChannelWeb, Category: "gia-han-thue", Agency: "BTC-TCT",
				AgencyPath: []string{"BTC", "BTC-TCT"}, Citizen: desk.Citizen{Name: fmt.Sprintf("Công dân %d", i%nPhones), Phone: "+849" + fmt.Sprintf("%08d", i%nPhones)},
				Title: "Chưa được gia hạn nộp thuế", Body: body, CreatedAt: at, UpdatedAt: at, DueAt: at.Add(10 * 24 * time.Hour),
				Events: []desk.Event{{Seq: 1, At: at, Actor: "system", Type: desk.EventReceived, Public: true}, {Seq: 2, At: at, Actor: "system", Type: desk.EventRouted, To: "BTC-TCT", Public: true}}})
		}
		if _, err := db.Collection("tickets").InsertMany(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	outcomes := []desk.Outcome{desk.OutcomeAnswered, desk.OutcomeNewTicket, desk.OutcomeAddedTicket, desk.OutcomeTransferred, ""}
	for start := 0; start < nCalls; start += 1000 {
		batch := make([]any, 0, 1000)
		for i := start; i < start+1000 && i < nCalls; i++ {
			at := base.Add(time.Duration(i) * 6 * time.Minute)
			c := &desk.Call{ID: fmt.Sprintf("seed-%d", i), CallID: fmt.Sprintf("seed-%d", i), Phone: "+849" + fmt.Sprintf("%08d", i%nPhones),
				Direction: desk.DirectionIn, Line: "+8419001234", StartedAt: at, Day: hotline.Day(at), Outcome: outcomes[i%len(outcomes)],
				CTIEvents: []string{"newCall", "answer", "hangup"}, UpdatedAt: at}
			if c.Outcome == "" {
				c.Missed, c.EndedAt = true, at.Add(20*time.Second)
			} else {
				c.AnsweredAt, c.EndedAt, c.Operator, c.OperatorName = at.Add(5*time.Second), at.Add(4*time.Minute), "op", "Lan"
				c.Summary = "Hỏi tiến độ giải quyết hồ sơ."
			}
			batch = append(batch, c)
		}
		if _, err := db.Collection("calls").InsertMany(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
}
