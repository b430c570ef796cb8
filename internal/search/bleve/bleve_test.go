package bleve

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/civicdesk/civicdesk/internal/search"
	"github.com/civicdesk/civicdesk/internal/search/searchtest"
	"github.com/civicdesk/civicdesk/internal/vnfold"
)

func openTemp(t *testing.T) *Index {
	t.Helper()
	x, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func TestConformance(t *testing.T) {
	searchtest.RunConformance(t, func(t *testing.T) search.Index { return openTemp(t) })
}

// TestFoldedAnalyzerMatchesVnfold checks that the index folds Vietnamese the
// way the rest of civicdesk does (vnfold), for NFC and NFD input alike.
func TestFoldedAnalyzerMatchesVnfold(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	an := m.AnalyzerNamed(foldedAnalyzer)
	exact := m.AnalyzerNamed(exactAnalyzer)
	for _, s := range []string{
		"Đà Nẵng", "ĐÀ NẴNG", "Phản ánh về trợ cấp thất nghiệp chưa được chi trả",
		"Hồ Chí Minh", "Thừa Thiên Huế", "Bà Rịa – Vũng Tàu", "cá cược", "Ưu đãi người có công",
		"ẮẰẲẴẶ ẤẦẨẪẬ ỐỒỔỖỘ ỚỜỞỠỢ ỨỪỬỮỰ ÝỲỶỸỴ đ Đ",
	} {
		for _, in := range []string{s, norm.NFD.String(s)} {
			var got []string
			for _, tok := range an.Analyze([]byte(in)) {
				got = append(got, string(tok.Term))
			}
			if want := strings.Fields(vnfold.Canonical(strings.ReplaceAll(s, "–", " "))); !slices.Equal(got, want) {
				t.Errorf("folded %q: %q, want %q", in, got, want)
			}
			var gotExact []string
			for _, tok := range exact.Analyze([]byte(in)) {
				gotExact = append(gotExact, string(tok.Term))
			}
			if want := strings.Fields(strings.ReplaceAll(search.ExactForm(s), "–", " ")); !slices.Equal(gotExact, want) {
				t.Errorf("exact %q: %q, want %q", in, gotExact, want)
			}
		}
	}
}

func TestReopenKeepsDocs(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	x, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Index(ctx, searchtest.Fixtures()...); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Search(ctx, search.Query{}); err != ErrClosed {
		t.Errorf("search after close: %v, want ErrClosed", err)
	}
	x, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if n, err := x.Count(ctx); err != nil || n != len(searchtest.Fixtures()) {
		t.Errorf("count after reopen = %d, %v", n, err)
	}
	if _, err := os.Stat(filepath.Join(dir, IndexName, currentFile)); err != nil {
		t.Errorf("no %s file: %v", currentFile, err)
	}
}

// TestRebuild swaps in a new generation while searches run, and checks that
// writes made during the rebuild survive the swap.
func TestRebuild(t *testing.T) {
	ctx := context.Background()
	x := openTemp(t)
	fixtures := searchtest.Fixtures()
	stale := search.Doc{ID: "stale", Title: "Vé số trúng thưởng", Agency: "MOF", AgencyPath: []string{"MOF"}}
	if err := x.Index(ctx, append(fixtures, stale)...); err != nil {
		t.Fatal(err)
	}
	oldDir := x.Dir()

	// Searches keep succeeding throughout.
	stop := make(chan struct{})
	var searches, failures atomic.Int64
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := x.Search(ctx, search.Query{Text: "trợ cấp", Scope: []string{"MOLISA"}}); err != nil {
					failures.Add(1)
				}
				searches.Add(1)
			}
		}()
	}

	edited := fixtures[0]
	edited.Title = "Phản ánh đã được giải quyết xong"
	var out bytes.Buffer
	err := x.Rebuild(ctx, len(fixtures), func(ctx context.Context, put func(...search.Doc) error) error {
		for i := 0; i < len(fixtures); i += 4 {
			if err := put(fixtures[i:min(i+4, len(fixtures))]...); err != nil {
				return err
			}
			if i == 8 {
				// The cursor returns a ticket a second time, newer.
				again := fixtures[2]
				again.Title = "Đã nhận đủ tiền trợ cấp"
				if err := put(again); err != nil {
					return err
				}
			}
			if i == 4 {
				// A staff edit and a delete arrive mid-rebuild, after the
				// feed already read the first ticket from Mongo.
				if err := x.Index(ctx, edited); err != nil {
					return err
				}
				if err := x.Delete(ctx, fixtures[13].ID); err != nil {
					return err
				}
			}
		}
		return nil
	}, &out)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if failures.Load() != 0 || searches.Load() == 0 {
		t.Errorf("searches during rebuild: %d, failures %d", searches.Load(), failures.Load())
	}
	if x.Dir() == oldDir {
		t.Error("generation did not change")
	}
	if _, err := os.Stat(oldDir); !os.IsNotExist(err) {
		t.Errorf("old generation not removed: %v", err)
	}
	if !strings.Contains(out.String(), "reindex") {
		t.Errorf("no progress output: %q", out.String())
	}
	if n, _ := x.Count(ctx); n != len(fixtures)-1 {
		t.Errorf("count after rebuild = %d, want %d (stale doc gone, one deleted)", n, len(fixtures)-1)
	}
	res, err := x.Search(ctx, search.Query{Text: "giải quyết xong"})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].ID != edited.ID {
		t.Errorf("edit made during rebuild lost: %v %v", res, err)
	}

	res, err = x.Search(ctx, search.Query{Text: "đã nhận đủ tiền"})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].ID != fixtures[2].ID {
		t.Errorf("later duplicate from the feed not applied: %v %v", res, err)
	}

	// A failing feed leaves the live generation alone.
	live := x.Dir()
	err = x.Rebuild(ctx, 0, func(ctx context.Context, put func(...search.Doc) error) error {
		return fmt.Errorf("mongo went away")
	}, nil)
	if err == nil || x.Dir() != live {
		t.Errorf("failed rebuild: err %v, dir %s -> %s", err, live, x.Dir())
	}
	if n, _ := x.Count(ctx); n != len(fixtures)-1 {
		t.Errorf("count after failed rebuild = %d", n)
	}
	entries, _ := os.ReadDir(filepath.Dir(live))
	if len(entries) != 2 { // CURRENT and the live generation
		t.Errorf("leftovers after failed rebuild: %v", entries)
	}
}

// TestRebuildEmpty swaps in an empty generation when the feed has nothing
// (the offline builder cannot build an empty index, so this path differs).
func TestRebuildEmpty(t *testing.T) {
	ctx := context.Background()
	x := openTemp(t)
	if err := x.Index(ctx, searchtest.Fixtures()...); err != nil {
		t.Fatal(err)
	}
	err := x.Rebuild(ctx, 0, func(context.Context, func(...search.Doc) error) error { return nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := x.Count(ctx); n != 0 {
		t.Errorf("count after empty rebuild = %d", n)
	}
	if err := x.Index(ctx, searchtest.Fixtures()[0]); err != nil {
		t.Fatal(err)
	}
	if n, _ := x.Count(ctx); n != 1 {
		t.Errorf("count after write = %d", n)
	}
	entries, _ := os.ReadDir(filepath.Dir(x.Dir()))
	if len(entries) != 2 {
		t.Errorf("leftovers: %v", entries)
	}
}

// TestConcurrentIndexCallsShareCommits checks the group commit: many
// concurrent single-doc Index calls, some with an already cancelled
// context, all return, and every call that returned nil is searchable
// and counted.
func TestConcurrentIndexCallsShareCommits(t *testing.T) {
	x := openTemp(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var ok atomic.Int64
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := search.Doc{ID: fmt.Sprintf("t%03d", i), Agency: "MOLISA", AgencyPath: []string{"MOLISA"},
				Title: fmt.Sprintf("Phản ánh số %d", i), Body: "chậm chi trả trợ cấp"}
			if err := x.Index(ctx, d); err != nil {
				t.Errorf("index %s: %v", d.ID, err)
				return
			}
			ok.Add(1)
		}()
	}
	wg.Wait()
	if n, err := x.Count(ctx); err != nil || int64(n) != ok.Load() || n != 200 {
		t.Fatalf("count = %d, %v; %d calls succeeded, want 200", n, err, ok.Load())
	}
	res, err := x.Search(ctx, search.Query{Text: "tro cap", Limit: 1})
	if err != nil || res.Total != 200 {
		t.Fatalf("search: total %v, %v; want 200", res, err)
	}
	// A caller whose context has ended is answered with its error and
	// leaves nothing half-done for the others.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_ = x.Index(cctx, search.Doc{ID: "late", Agency: "MOLISA", Title: "muộn"})
	if err := x.Index(ctx, search.Doc{ID: "after", Agency: "MOLISA", Title: "sau"}); err != nil {
		t.Fatalf("index after a cancelled call: %v", err)
	}
}

// TestIndexNameCarriesFoldVersion: an index analysed with another version
// of the Vietnamese fold must not be reopened as if it were current.
func TestIndexNameCarriesFoldVersion(t *testing.T) {
	if want := "-fold" + strconv.Itoa(vnfold.Version); !strings.HasSuffix(IndexName, want) {
		t.Fatalf("IndexName %q does not end in %q: bump it with vnfold.Version", IndexName, want)
	}
}

// TestIYSpellingsAreOneWord: the two official spellings of i/y syllables
// find each other through the index, both ways.
func TestIYSpellingsAreOneWord(t *testing.T) {
	x, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if !x.Created() {
		t.Fatal("a new index should report Created")
	}
	pairs := [][2]string{
		{"kĩ thuật", "kỹ thuật"}, {"lí lịch", "lý lịch"}, {"lí do", "lý do"}, {"qui định", "quy định"},
		{"liệt sỹ", "liệt sĩ"}, {"bác sỹ", "bác sĩ"}, {"tỉ lệ", "tỷ lệ"},
	}
	ctx := context.Background()
	for i, p := range pairs {
		if err := x.Index(ctx, search.Doc{ID: fmt.Sprintf("d%02d", i), Title: "Về " + p[1], Body: "nội dung", Status: "new", Agency: "A"}); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range pairs {
		res, err := x.Search(ctx, search.Query{Text: p[0]})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 1 || res.Hits[0].ID != fmt.Sprintf("d%02d", i) {
			t.Errorf("search %q: %d hits %v, want d%02d (%q)", p[0], res.Total, res.Hits, i, p[1])
		}
	}
	// y alone and after a vowel is not touched: "tay" does not find "tai".
	if err := x.Index(ctx, search.Doc{ID: "tai", Title: "đau tai", Status: "new", Agency: "A"}); err != nil {
		t.Fatal(err)
	}
	if res, err := x.Search(ctx, search.Query{Text: "đau tay"}); err != nil || res.Total != 0 {
		t.Errorf("tay found tai: %v %v", res, err)
	}
	x.Close()
	y, err := Open(filepath.Dir(x.root), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	if y.Created() {
		t.Error("a reopened index should not report Created")
	}
}
