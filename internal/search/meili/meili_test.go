package meili

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/search"
	"github.com/civicdesk/civicdesk/internal/search/searchtest"
)

// exactRankingGap explains the one conformance check Meilisearch cannot
// pass: its tokenizer (charabia) removes diacritics and maps đ to d before
// indexing, for documents and queries alike, so "bảo hiểm" and "bao hiem"
// are the same word to it and nothing is left to rank on.
const exactRankingGap = "Meilisearch folds diacritics at index time (charabia normalizer), " +
	"so an exact-diacritic match cannot outrank a folded one"

var testUIDs atomic.Int64

// TestConformanceServer runs the shared suite against a real Meilisearch.
func TestConformanceServer(t *testing.T) {
	url := os.Getenv("CIVICDESK_TEST_MEILI_URL")
	if url == "" {
		t.Skip("CIVICDESK_TEST_MEILI_URL not set: no Meilisearch server to test against " +
			"(the contract tests below check our requests against a fake)")
	}
	key := os.Getenv("CIVICDESK_TEST_MEILI_KEY")
	searchtest.RunConformanceWith(t, func(t *testing.T) search.Index {
		uid := fmt.Sprintf("civicdesk_test_%d_%d", time.Now().UnixNano(), testUIDs.Add(1))
		x, err := Open(context.Background(), Options{URL: url, APIKey: key, IndexUID: uid})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = x.dropIndex(context.Background(), uid) })
		return x
	}, searchtest.Options{Skip: map[string]string{"ExactDiacriticsRankFirst": exactRankingGap}})
}

// TestConformanceFake runs the shared suite against the fake server. The
// fake checks every request against the settings we sent (see
// fake_test.go); the checks that need Meilisearch's real ranking are
// skipped here and covered by TestConformanceServer.
func TestConformanceFake(t *testing.T) {
	fake := newFake(t, "test-key")
	noRanking := "the fake Meilisearch does not imitate relevance; run with CIVICDESK_TEST_MEILI_URL"
	searchtest.RunConformanceWith(t, func(t *testing.T) search.Index {
		uid := fmt.Sprintf("tickets_test_%d", testUIDs.Add(1))
		x, err := Open(context.Background(), Options{URL: fake.srv.URL, APIKey: "test-key", IndexUID: uid, PollInterval: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		return x
	}, searchtest.Options{Skip: map[string]string{
		"ExactDiacriticsRankFirst": exactRankingGap,
		"Typos":                    noRanking + " (typo tolerance)",
		"Similar":                  noRanking + " (duplicate detection)",
	}})
}

// canonical decodes JSON into generic values so that two documents compare
// equal regardless of key order and spacing.
func canonical(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON %s: %v", s, err)
	}
	return v
}

func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// expectedSettings is the settings body as documented by Meilisearch
// (PATCH /indexes/{uid}/settings). It is the schema contract: a change here
// is a change of IndexUID.
const expectedSettings = `{
  "rankingRules": ["sort", "words", "typo", "proximity", "attribute", "exactness"],
  "searchableAttributes": ["tracking_code", "title", "body", "messages", "staff_notes", "phone_last4", "spellings"],
  "displayedAttributes": ["id", "title", "body", "messages", "staff_notes"],
  "filterableAttributes": ["id", "agency", "agency_path", "status", "channel", "category", "province", "overdue", "published", "created_at"],
  "sortableAttributes": ["created_at", "due_at", "id"],
  "localizedAttributes": [{"locales": ["vie"], "attributePatterns": ["*"]}],
  "typoTolerance": {
    "enabled": true,
    "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
    "disableOnWords": [],
    "disableOnAttributes": ["tracking_code", "phone_last4"],
    "disableOnNumbers": true
  },
  "pagination": {"maxTotalHits": 10000},
  "faceting": {"maxValuesPerFacet": 1000, "sortFacetValuesBy": {"*": "count"}}
}`

func TestContractOpenAppliesSettings(t *testing.T) {
	fake := newFake(t, "")
	ctx := context.Background()
	if _, err := Open(ctx, Options{URL: fake.srv.URL, PollInterval: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"GET /indexes/tickets_v2", // 404: a new installation
		"POST /indexes",
		"GET /tasks/0", "GET /tasks/0", // processing, then succeeded
		"PATCH /indexes/tickets_v2/settings",
		"GET /tasks/1", "GET /tasks/1",
	}
	if got := fake.requests(); !slices.Equal(got, want) {
		t.Errorf("requests:\n got %q\nwant %q", got, want)
	}
	if got := fake.indexes["tickets_v2"].primaryKey; got != "id" {
		t.Errorf("primary key %q", got)
	}
	if !reflect.DeepEqual(canonical(t, asJSON(fake.settings[0])), canonical(t, expectedSettings)) {
		t.Errorf("settings sent:\n%s\nwant:\n%s", asJSON(fake.settings[0]), expectedSettings)
	}
	// Opening again finds the index and re-applies the same settings.
	if _, err := Open(ctx, Options{URL: fake.srv.URL, PollInterval: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	got := fake.requests()
	if slices.Contains(got, "POST /indexes") || !slices.Contains(got, "PATCH /indexes/tickets_v2/settings") {
		t.Errorf("reopen requests: %q", got)
	}
	if asJSON(fake.settings[1]) != asJSON(fake.settings[0]) {
		t.Error("settings differ between starts")
	}
}

func TestContractSearchRequests(t *testing.T) {
	yes := true
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	staffOn := `["tracking_code", "title", "body", "messages", "phone_last4", "spellings"]`
	for _, c := range []struct {
		name string
		q    search.Query
		want string
		skip int
	}{
		{"plain text", search.Query{Text: "Đà Nẵng"}, `{"q": "Đà Nẵng", "page": 1, "hitsPerPage": 20,
			"attributesToSearchOn": ` + staffOn + `, "attributesToRetrieve": ["id"],
			"matchingStrategy": "all", "showRankingScore": true, "hybrid": null}`, 0},
		{"tracking code split like the tokenizers do", search.Query{Text: "PA-7KQ2M-XH4RT"}, `{"q": "PA 7KQ2M XH4RT",
			"page": 1, "hitsPerPage": 20, "attributesToSearchOn": ` + staffOn + `, "attributesToRetrieve": ["id"],
			"matchingStrategy": "all", "showRankingScore": true, "hybrid": null}`, 0},
		{"everything", search.Query{
			Text: "trợ cấp", Scope: []string{"MOF", "MOF-GDT"}, Agencies: []string{"MOF-GDT"},
			Statuses: []string{"open", "new"}, Channels: []string{"web"}, Categories: []string{"tax"},
			Provinces: []string{"HN"}, Overdue: &yes, CreatedFrom: from, CreatedTo: from.Add(24 * time.Hour),
			Sort: search.SortDueAsc, Offset: 40, Limit: 20, Facets: []string{"agency", "overdue"},
			IncludeStaffNotes: true, Highlight: true,
		}, `{"q": "trợ cấp", "page": 3, "hitsPerPage": 20,
			"filter": "agency_path IN [\"MOF\", \"MOF-GDT\"] AND agency IN [\"MOF-GDT\"] AND status IN [\"open\", \"new\"] AND channel IN [\"web\"] AND category IN [\"tax\"] AND province IN [\"HN\"] AND overdue = true AND created_at >= 1735689600 AND created_at <= 1735776000",
			"sort": ["due_at:asc", "created_at:desc", "id:asc"], "facets": ["agency", "overdue"],
			"attributesToSearchOn": ["tracking_code", "title", "body", "messages", "staff_notes", "phone_last4", "spellings"],
			"attributesToRetrieve": ["id", "title", "body", "messages", "staff_notes"],
			"matchingStrategy": "all", "showRankingScore": true, "hybrid": null}`, 0},
		{"public", search.Query{Text: "lệ phí", PublishedOnly: true, Highlight: true, Sort: search.SortCreatedAsc},
			`{"q": "lệ phí", "page": 1, "hitsPerPage": 20, "filter": "published = true",
			"sort": ["created_at:asc", "id:asc"], "attributesToSearchOn": ["title", "body", "messages", "spellings"],
			"attributesToRetrieve": ["id", "title", "body", "messages"],
			"matchingStrategy": "all", "showRankingScore": true, "hybrid": null}`, 0},
		{"offset not on a page boundary", search.Query{Offset: 5, Limit: 10, Scope: []string{`MOF"] OR agency_path EXISTS OR x IN ["`}},
			`{"q": "", "page": 1, "hitsPerPage": 15,
			"filter": "agency_path IN [\"MOF\\\"] OR agency_path EXISTS OR x IN [\\\"\"]",
			"sort": ["created_at:desc", "id:asc"], "attributesToSearchOn": ` + staffOn + `,
			"attributesToRetrieve": ["id"], "matchingStrategy": "all", "showRankingScore": true, "hybrid": null}`, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			q, err := c.q.Normalize()
			if err != nil {
				t.Fatal(err)
			}
			req, skip := Request(q)
			if got := asJSON(req); !reflect.DeepEqual(canonical(t, got), canonical(t, c.want)) {
				t.Errorf("request:\n got %s\nwant %s", got, c.want)
			}
			if skip != c.skip {
				t.Errorf("skip %d, want %d", skip, c.skip)
			}
		})
	}
}

func TestContractQuotingCannotWidenScope(t *testing.T) {
	fake := newFake(t, "")
	ctx := context.Background()
	x, err := Open(ctx, Options{URL: fake.srv.URL, PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Index(ctx, searchtest.Fixtures()...); err != nil {
		t.Fatal(err)
	}
	for _, scope := range []string{
		`MOF"] OR agency_path EXISTS OR agency_path IN ["x`,
		`MOF" OR published = true OR agency = "x`,
		`\" OR id EXISTS OR id = \`,
		`MOLISA') OR (id EXISTS`,
	} {
		res, err := x.Search(ctx, search.Query{Scope: []string{scope}, Facets: []string{"agency"}})
		if err != nil {
			t.Fatalf("scope %q: %v", scope, err)
		}
		if res.Total != 0 || len(res.Hits) != 0 || len(res.Facets["agency"]) != 0 {
			t.Errorf("scope %q widened to %d hits %v", scope, res.Total, res.Facets)
		}
		body := fake.bodies[len(fake.bodies)-1]
		_, attrs, err := parseFilter(body["filter"].(string))
		if err != nil || !slices.Equal(attrs, []string{"agency_path"}) {
			t.Errorf("scope %q: filter %q parsed to attributes %v (%v)", scope, body["filter"], attrs, err)
		}
	}
}

// TestContractFakeRejectsUndeclared proves the fake would catch a filter,
// sort or facet on an attribute our settings do not declare, as
// Meilisearch does, so that the passing contract tests mean something.
func TestContractFakeRejectsUndeclared(t *testing.T) {
	fake := newFake(t, "")
	ctx := context.Background()
	if _, err := Open(ctx, Options{URL: fake.srv.URL, PollInterval: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ body, code string }{
		{`{"q": "", "filter": "priority = high"}`, "invalid_search_filter"},
		{`{"q": "", "filter": "agency_path IN [\"MOF\"] AND (status = open OR phone_last4 = \"0912\")"}`, "invalid_search_filter"},
		{`{"q": "", "filter": "NOT answered_at EXISTS"}`, "invalid_search_filter"},
		{`{"q": "", "sort": ["priority:asc"]}`, "invalid_search_sort"},
		{`{"q": "", "sort": ["answered_at:desc"]}`, "invalid_search_sort"},
		{`{"q": "", "facets": ["priority"]}`, "invalid_search_facets"},
		{`{"q": "", "attributesToSearchOn": ["agency"]}`, "invalid_search_attributes_to_search_on"},
		{`{"q": "", "filter": "status = \"open"}`, "invalid_search_filter"},
		{`{"q": "", "unknownParam": 1}`, "bad_request"},
	} {
		resp, err := http.Post(fake.srv.URL+"/indexes/tickets_v2/search", "application/json", strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		var e apiError
		_ = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != 400 || e.Code != c.code {
			t.Errorf("%s: %d %q, want 400 %q", c.body, resp.StatusCode, e.Code, c.code)
		}
	}
	// And every filter, sort and facet our code can produce is accepted.
	yes := true
	x := &Index{} // only for SimilarRequest's threshold
	x.opts.SimilarThreshold = DefaultSimilarThreshold
	all := search.Query{
		Text: "x", Scope: []string{"A"}, PublishedOnly: true, Agencies: []string{"A"}, Statuses: []string{"s"},
		Channels: []string{"c"}, Categories: []string{"k"}, Provinces: []string{"p"}, Overdue: &yes,
		CreatedFrom: time.Unix(1, 0), CreatedTo: time.Unix(2, 0),
		Facets: []string{"agency", "status", "channel", "category", "province", "overdue"},
	}
	for _, sort := range []string{search.SortRelevance, search.SortDueAsc, search.SortCreatedAsc, search.SortCreatedDesc} {
		all.Sort = sort
		q, err := all.Normalize()
		if err != nil {
			t.Fatal(err)
		}
		req, _ := Request(q)
		postOK(t, fake, req)
	}
	sim, err := x.SimilarRequest(search.Doc{ID: "a", Agency: "A", Title: "trợ cấp thất nghiệp"},
		search.SimilarQuery{Scope: []string{"A"}, Since: time.Unix(1, 0), Limit: 5, ExcludeIDs: []string{"b"}})
	if err != nil {
		t.Fatal(err)
	}
	postOK(t, fake, sim)
}

func postOK(t *testing.T, fake *fakeMeili, req any) {
	t.Helper()
	resp, err := http.Post(fake.srv.URL+"/indexes/tickets_v2/search", "application/json", bytes.NewReader([]byte(asJSON(req))))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		var e apiError
		_ = json.NewDecoder(resp.Body).Decode(&e)
		t.Errorf("request %s rejected: %s", asJSON(req), e.Message)
	}
}

func TestContractWaitForTasks(t *testing.T) {
	fake := newFake(t, "")
	ctx := context.Background()
	doc := search.Doc{ID: "t1", Title: "Đèn đường hỏng", Agency: "DN", CreatedAt: time.Unix(100, 0)}

	x, err := Open(ctx, Options{URL: fake.srv.URL, PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	fake.requests()
	if err := x.Index(ctx, doc); err != nil {
		t.Fatal(err)
	}
	if err := x.Delete(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"POST /indexes/tickets_v2/documents", "GET /tasks/2", "GET /tasks/2",
		"POST /indexes/tickets_v2/documents/delete-batch", "GET /tasks/3", "GET /tasks/3",
	}
	if got := fake.requests(); !slices.Equal(got, want) {
		t.Errorf("waiting writes:\n got %q\nwant %q", got, want)
	}

	nowait, err := Open(ctx, Options{URL: fake.srv.URL, PollInterval: time.Millisecond, NoWait: true})
	if err != nil {
		t.Fatal(err)
	}
	fake.requests()
	if err := nowait.Index(ctx, doc); err != nil {
		t.Fatal(err)
	}
	if err := nowait.Delete(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	want = []string{"POST /indexes/tickets_v2/documents", "POST /indexes/tickets_v2/documents/delete-batch"}
	if got := fake.requests(); !slices.Equal(got, want) {
		t.Errorf("NoWait writes:\n got %q\nwant %q", got, want)
	}

	// A failed task is an error, not a silent success.
	if err := x.Index(ctx, search.Doc{ID: "bad id!"}); err == nil {
		t.Error("invalid id accepted")
	}
}

func TestContractDocumentShape(t *testing.T) {
	d := searchtest.Fixtures()[0]
	md, err := toDocument(d)
	if err != nil {
		t.Fatal(err)
	}
	got := canonical(t, asJSON(md)).(map[string]any)
	for _, k := range []string{"id", "tracking_code", "title", "body", "messages", "staff_notes", "agency", "agency_path",
		"status", "channel", "category", "province", "priority", "overdue", "published", "created_at", "due_at", "phone_last4"} {
		if _, ok := got[k]; !ok {
			t.Errorf("document lacks %s: %v", k, got)
		}
	}
	if _, ok := got["answered_at"]; ok {
		t.Error("zero answered_at must be left out so it sorts last")
	}
	if got["created_at"].(float64) != float64(d.CreatedAt.Unix()) {
		t.Errorf("created_at %v, want Unix seconds", got["created_at"])
	}
}

func TestContractRebuild(t *testing.T) {
	fake := newFake(t, "")
	ctx := context.Background()
	x, err := Open(ctx, Options{URL: fake.srv.URL, PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	stale := search.Doc{ID: "stale", Title: "Vé số", Agency: "MOF", CreatedAt: time.Unix(5, 0)}
	if err := x.Index(ctx, stale); err != nil {
		t.Fatal(err)
	}
	fixtures := searchtest.Fixtures()
	edited := fixtures[0]
	edited.Title = "Phản ánh đã được giải quyết xong"
	fake.requests()
	var progress bytes.Buffer
	err = x.Rebuild(ctx, len(fixtures), func(ctx context.Context, put func(...search.Doc) error) error {
		if err := put(fixtures[:7]...); err != nil {
			return err
		}
		// A write arriving mid-rebuild goes to the live index and is
		// replayed into the new one before the swap.
		if err := x.Index(ctx, edited); err != nil {
			return err
		}
		return put(fixtures[7:]...)
	}, &progress)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range fake.requests() {
		if !strings.HasPrefix(r, "GET /tasks/") {
			got = append(got, r)
		}
	}
	want := []string{
		"DELETE /indexes/tickets_v2_rebuild", // leftover of an interrupted rebuild, if any
		"GET /indexes/tickets_v2_rebuild",
		"POST /indexes",
		"PATCH /indexes/tickets_v2_rebuild/settings",
		"POST /indexes/tickets_v2_rebuild/documents",
		"POST /indexes/tickets_v2/documents", // the live write
		"POST /indexes/tickets_v2_rebuild/documents",
		"GET /indexes/tickets_v2",
		"PATCH /indexes/tickets_v2/settings",
		"POST /indexes/tickets_v2_rebuild/documents", // replay
		"POST /swap-indexes",
		"DELETE /indexes/tickets_v2_rebuild", // the old generation
	}
	if !slices.Equal(got, want) {
		t.Errorf("rebuild requests:\n got %q\nwant %q", got, want)
	}
	if n, _ := x.Count(ctx); n != len(fixtures) {
		t.Errorf("count after rebuild %d, want %d", n, len(fixtures))
	}
	res, err := x.Search(ctx, search.Query{Text: "giải quyết xong"})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].ID != edited.ID {
		t.Errorf("edit during rebuild lost: %+v %v", res, err)
	}
	if _, ok := fake.indexes["tickets_v2_rebuild"]; ok {
		t.Error("old generation not deleted")
	}
	if !strings.Contains(progress.String(), "reindex") {
		t.Errorf("no progress: %q", progress.String())
	}
}
