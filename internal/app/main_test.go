package app_test

import (
	"os"
	"testing"

	"github.com/civicdesk/civicdesk/internal/apptest"
)

// TestMain runs the package's tests and, on an external store
// (CIVICDESK_TEST_MONGO_URI), then checks that every query shape they sent
// is served by an index declared in store.Indexes (apptest.CheckIndexCoverage
// says how). Remove an index from store.Indexes and this run fails, naming
// the queries that lost it.
func TestMain(m *testing.M) { os.Exit(apptest.CheckIndexCoverage(m)) }
