package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/app"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// BenchmarkReindexCommand runs `civicdesk reindex` on the embedded store
// holding CIVICDESK_BENCH_REINDEX_N tickets (default 20000; the issue asks
// for 100k, which the embedded store takes long to seed on a shared
// machine): it must show a progress bar on stderr and end with the store's
// and the index's counts equal.
//
//	go test ./cmd/civicdesk -run '^$' -bench ReindexCommand -benchtime 1x -timeout 60m
func BenchmarkReindexCommand(b *testing.B) {
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("CIVICDESK_BENCH_REINDEX_N")); err == nil && v > 0 {
		n = v
	}
	dir := b.TempDir()
	cfg := config.Default()
	cfg.DataDir = dir
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{NoAdmin: true})
	if err != nil {
		b.Fatal(err)
	}
	agencies := []string{"BTC-TCT", "BLDTBXH", "NHCSXH", "BHXH", "BYT"}
	now := time.Now().UTC()
	seedStart := time.Now()
	for start := 0; start < n; start += 1000 {
		var ts []*desk.Ticket
		for i := start; i < start+1000 && i < n; i++ {
			ag := agencies[i%len(agencies)]
			created := now.Add(-time.Duration(i) * time.Minute)
			ts = append(ts, &desk.Ticket{ID: store.NewID(), TrackingCode: desk.NewTrackingCode(), Version: 1, Status: desk.StatusNew,
				Channel: desk.ChannelWeb, Category: "khac", Agency: ag, AgencyPath: a.Catalog().Path(ag),
				Citizen: desk.Citizen{Name: "Công dân", Province: "Hà Nội"}, Title: fmt.Sprintf("Phản ánh số %d về trợ cấp", i),
				Body: "Tôi phản ánh việc chậm chi trả trợ cấp thất nghiệp, hồ sơ đã nộp đủ.", CreatedAt: created, UpdatedAt: created, DueAt: created.Add(240 * time.Hour)})
		}
		if err := a.Store.InsertTickets(ctx, ts); err != nil {
			b.Fatal(err)
		}
	}
	seeded := time.Since(seedStart)
	a.Close()
	for range b.N {
		var out, errb bytes.Buffer
		m := Main{Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
			if k == "CIVICDESK_DATA_DIR" {
				return dir
			}
			return ""
		}}
		b.ResetTimer()
		start := time.Now()
		code := m.Run(ctx, []string{"reindex"})
		took := time.Since(start)
		b.StopTimer()
		want := fmt.Sprintf("reindexed: store has %d tickets, index has %d", n, n)
		if code != 0 || !strings.Contains(out.String(), want) {
			b.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out.String(), errb.String())
		}
		if !strings.Contains(errb.String(), "reindex") || !strings.Contains(errb.String(), "docs") {
			b.Fatalf("no progress shown: %q", errb.String())
		}
		b.ReportMetric(took.Seconds(), "s/reindex")
		b.ReportMetric(float64(n)/took.Seconds(), "docs/s")
		fmt.Printf("civicdesk reindex: %d tickets in %v (%.0f docs/s; seeding the store took %v); %s\n", n, took.Round(time.Millisecond), float64(n)/took.Seconds(), seeded.Round(time.Second), strings.TrimSpace(out.String()))
	}
}
