package app_test

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/app"
	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/seed"
)

// Several processes started at the same moment on an empty database (as
// `docker compose up` starts web and worker) all come up: creating the
// collections and indexes, seeding the catalog and creating the admin race
// each other, and none of them may die of it. Each sees the whole catalog.
func TestConcurrentStartOnEmptyDatabase(t *testing.T) {
	uri := os.Getenv("CIVICDESK_TEST_MONGO_URI")
	if uri == "" {
		t.Skip("needs an external store shared by several processes: set CIVICDESK_TEST_MONGO_URI")
	}
	const n = 6
	db := apptest.MongoDB(t, t.TempDir(), uri)
	data, err := seed.Load()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	apps := make([]*app.App, n)
	start := make(chan struct{})
	for i := range n {
		cfg := config.Default()
		cfg.DataDir = t.TempDir()
		cfg.MongoURI, cfg.MongoDatabase = uri, db
		cfg.Search = config.SearchNone
		cfg.AdminEmail, cfg.AdminPassword = apptest.AdminEmail, apptest.AdminPassword
		cfg.BcryptCost = 4
		cfg.SecretKey = "concurrent-start-secret-key-0123456789"
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			apps[i], errs[i] = app.Open(ctx, cfg, slog.New(slog.NewTextHandler(testLog{t}, nil)), app.Options{SharedStore: true})
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("process %d did not start: %v", i, errs[i])
			continue
		}
		defer apps[i].Close()
		cat := apps[i].Catalog()
		if len(cat.Agencies) != len(data.Agencies) || len(cat.Categories) != len(data.Categories) {
			t.Errorf("process %d sees %d agencies and %d categories, want %d and %d",
				i, len(cat.Agencies), len(cat.Categories), len(data.Agencies), len(data.Categories))
		}
	}
}

type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }
