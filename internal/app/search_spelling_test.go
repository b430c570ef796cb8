package app_test

import (
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/search/bleve"
)

// iyPairs are official double spellings of the same word (i/y after a
// consonant, qui/quy): staff searching one must find tickets written with
// the other.
var iyPairs = [][2]string{
	{"kĩ thuật", "kỹ thuật"}, {"lí lịch", "lý lịch"}, {"lí do", "lý do"}, {"qui định", "quy định"},
	{"liệt sỹ", "liệt sĩ"}, {"bác sỹ", "bác sĩ"}, {"tỉ lệ", "tỷ lệ"},
}

func searchCodes(t *testing.T, env *apptest.Env, token, q string) []string {
	t.Helper()
	_, p := searchAPI(t, env, token, "q="+url.QueryEscape(q))
	if p == nil {
		t.Fatalf("search %q failed", q)
	}
	var out []string
	for _, tk := range p.Tickets {
		out = append(out, tk.TrackingCode)
	}
	return out
}

// TestStaffSearchIYSpellings: through the staff API, each spelling of an
// i/y pair finds the tickets written with either spelling.
func TestStaffSearchIYSpellings(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	admin := env.AdminToken()
	codes := map[string]string{}
	for _, p := range iyPairs {
		for _, w := range p {
			codes[w] = submitSearchable(t, env, admin, sub("ho-tro-lao-dong", "", "Hỏi về "+w, "Xin cho biết "+w+" áp dụng thế nào."))
		}
	}
	for _, p := range iyPairs {
		for _, q := range p {
			got := searchCodes(t, env, admin, q)
			for _, w := range p {
				if !slices.Contains(got, codes[w]) {
					t.Errorf("staff search %q: ticket written %q (%s) not found in %v", q, w, codes[w], got)
				}
			}
		}
	}
}

// TestNewFoldingIndexRefilledAtStart: when the index name changes (a new
// folding version), the server finds no index at start, creates one and
// refills it from the store without anyone running `civicdesk reindex`.
func TestNewFoldingIndexRefilledAtStart(t *testing.T) {
	if os.Getenv("CIVICDESK_TEST_MEILI_URL") != "" {
		t.Skip("bleve index directory test")
	}
	dir := t.TempDir()
	db := 0
	if redisTest() {
		db = apptest.RedisDB(t)
	}
	first := apptest.Start(t, apptest.Options{DataDir: dir, RedisDB: db})
	admin := first.AdminToken()
	code := submitSearchable(t, first, admin, sub("ho-tro-lao-dong", "", "Hỏi về kỹ thuật", "Xin cho biết quy định."))
	first.Stop()
	// The index of an older folding version lives under another name:
	// as far as the new server knows, there is no index at all.
	if err := os.RemoveAll(filepath.Join(dir, "index", bleve.IndexName)); err != nil {
		t.Fatal(err)
	}
	second := apptest.Start(t, apptest.Options{DataDir: dir, RedisDB: db})
	admin = second.AdminToken()
	apptest.WaitFor(t, 20*time.Second, "the new index to be refilled", func() bool {
		return slices.Contains(searchCodes(t, second, admin, "kĩ thuật"), code)
	})
}
