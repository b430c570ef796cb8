// Package searchtest is the conformance suite every search backend must
// pass. A backend's own test calls RunConformance with a function that opens
// a fresh, empty index; the suite indexes its fixtures and checks behaviour
// that staff and citizens rely on: Vietnamese matching with and without
// diacritics, typo tolerance, filters, facets, sorting, paging, updates,
// deletes, public search, staff-note visibility, duplicate detection and,
// above all, that Scope is never bypassed.
package searchtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/civicdesk/civicdesk/internal/search"
)

// Options adjusts the suite to documented limits of a backend. The zero
// value runs everything.
type Options struct {
	// Skip maps a subtest name (e.g. "ExactDiacriticsRankFirst") to the
	// reason the backend cannot pass it; the subtest is skipped with that
	// reason, so the gap shows in every test run instead of being hidden.
	Skip map[string]string
}

// RunConformance runs the whole suite. open must return a new, empty index
// each time it is called and arrange for it to be closed and removed when t
// ends.
func RunConformance(t *testing.T, open func(t *testing.T) search.Index) {
	RunConformanceWith(t, open, Options{})
}

// RunConformanceWith is RunConformance with backend-specific Options.
func RunConformanceWith(t *testing.T, open func(t *testing.T) search.Index, opts Options) {
	ctx := context.Background()
	fixtures := Fixtures()

	// The read-only checks share one index filled with the fixtures.
	shared := open(t)
	if err := shared.Index(ctx, fixtures...); err != nil {
		t.Fatalf("index fixtures: %v", err)
	}
	s := &suite{ix: shared, docs: fixtures}

	run := func(name string, f func(t *testing.T)) {
		t.Run(name, func(t *testing.T) {
			if reason, ok := opts.Skip[name]; ok {
				t.Skip(reason)
			}
			f(t)
		})
	}
	run("Count", func(t *testing.T) {
		n, err := shared.Count(ctx)
		if err != nil || n != len(fixtures) {
			t.Fatalf("Count = %d, %v; want %d", n, err, len(fixtures))
		}
	})
	run("Diacritics", s.testDiacritics)
	run("ExactDiacriticsRankFirst", s.testExactRanking)
	run("Typos", s.testTypos)
	run("Filters", s.testFilters)
	run("Facets", s.testFacets)
	run("Sort", s.testSort)
	run("Pagination", s.testPagination)
	run("Scope", s.testScope)
	run("PublishedOnly", s.testPublished)
	run("StaffNotes", s.testStaffNotes)
	run("TrackingCodeAndPhone", s.testCodes)
	run("Highlight", s.testHighlight)
	run("InvalidQueries", s.testInvalid)
	run("Similar", s.testSimilar)
	run("UpdatesAndDeletes", func(t *testing.T) { testWrites(t, open(t)) })
	run("IYSpellings", func(t *testing.T) { testIYSpellings(t, open(t)) })
}

// testIYSpellings: the two official spellings of a syllable ending in i/y
// (kĩ/kỹ, lí/lý, qui/quy, sĩ/sỹ, tỉ/tỷ) find each other, in the title, the
// body and the conversation, while "tai" and "tay" stay different words.
func testIYSpellings(t *testing.T, ix search.Index) {
	ctx := context.Background()
	pairs := [][2]string{
		{"kĩ thuật", "kỹ thuật"}, {"lí lịch", "lý lịch"}, {"lí do", "lý do"}, {"qui định", "quy định"},
		{"liệt sỹ", "liệt sĩ"}, {"bác sỹ", "bác sĩ"}, {"tỉ lệ", "tỷ lệ"},
	}
	var docs []search.Doc
	for i, p := range pairs {
		for j, written := range p {
			d := search.Doc{ID: fmt.Sprintf("iy%d%d", i, j), Agency: "MOLISA", AgencyPath: []string{"MOLISA"}, Status: "new"}
			switch i % 3 {
			case 0:
				d.Title = "Hỏi về " + written
			case 1:
				d.Body = "Tôi muốn hỏi về " + written + " của hồ sơ."
			default:
				d.Title, d.Messages = "Hỏi đáp", []string{"Xin trả lời về " + written}
			}
			docs = append(docs, d)
		}
	}
	docs = append(docs, search.Doc{ID: "iyear", Title: "đau tai", Agency: "MOLISA", AgencyPath: []string{"MOLISA"}, Status: "new"})
	if err := ix.Index(ctx, docs...); err != nil {
		t.Fatal(err)
	}
	for i, p := range pairs {
		for _, q := range p {
			res, err := ix.Search(ctx, search.Query{Text: q})
			if err != nil {
				t.Fatal(err)
			}
			got := ids(res)
			slices.Sort(got)
			if want := []string{fmt.Sprintf("iy%d0", i), fmt.Sprintf("iy%d1", i)}; !slices.Equal(got, want) {
				t.Errorf("query %q found %v, want %v (both spellings)", q, got, want)
			}
		}
	}
	res, err := ix.Search(ctx, search.Query{Text: "đau tay"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 0 {
		t.Errorf(`"đau tay" (hand) found %v: "tai" (ear) is another word`, ids(res))
	}
}

type suite struct {
	ix   search.Index
	docs []search.Doc
}

// search runs q and fails the test on error.
func (s *suite) search(t *testing.T, q search.Query) *search.Result {
	t.Helper()
	res, err := s.ix.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

func ids(res *search.Result) []string {
	out := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	return out
}

// mustFind checks that text (searched with the query template q) finds want.
func (s *suite) mustFind(t *testing.T, q search.Query, want ...string) *search.Result {
	t.Helper()
	res := s.search(t, q)
	got := ids(res)
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("query %q (scope %v): %s not found in %v", q.Text, q.Scope, w, got)
		}
	}
	return res
}

// mustNotFind checks that q finds none of ids.
func (s *suite) mustNotFind(t *testing.T, q search.Query, unwanted ...string) {
	t.Helper()
	got := ids(s.search(t, q))
	for _, u := range unwanted {
		if slices.Contains(got, u) {
			t.Errorf("query %q (scope %v): %s found in %v, it must not be", q.Text, q.Scope, u, got)
		}
	}
}

func text(s string) search.Query { return search.Query{Text: s} }

func (s *suite) testDiacritics(t *testing.T) {
	s.mustFind(t, text("phan anh tro cap that nghiep"), idLate1)
	s.mustFind(t, text("Phản ánh trợ cấp"), idLate1)
	for _, q := range []string{"da nang", "Đà Nẵng", "ĐÀ NẴNG", norm.NFD.String("Đà Nẵng"), "Da Nang"} {
		res := s.mustFind(t, text(q), idDaNang)
		if got := ids(res); len(got) != 1 {
			t.Errorf("query %q: got %v, want only %s", q, got, idDaNang)
		}
	}
	// A ticket typed without diacritics is found by a query with them.
	s.mustFind(t, text("chưa nhận được trợ cấp thất nghiệp"), idLate4)
	// Every word must match: a word found nowhere empties the result.
	if got := ids(s.search(t, text("trợ cấp thất nghiệp Đà Nẵng"))); len(got) != 0 {
		t.Errorf("words match in different tickets only, got %v, want none", got)
	}
}

func (s *suite) testExactRanking(t *testing.T) {
	for _, c := range []struct{ q, first, second string }{
		{"bảo hiểm xã hội", idInsAccent, idInsPlain},
		{"bao hiem xa hoi", idInsPlain, idInsAccent},
	} {
		got := ids(s.search(t, text(c.q)))
		if len(got) < 2 || got[0] != c.first || got[1] != c.second {
			t.Errorf("query %q: got %v, want %s then %s", c.q, got, c.first, c.second)
		}
	}
}

func (s *suite) testTypos(t *testing.T) {
	// One substitution, deletion or insertion in a word of >= 5 letters.
	s.mustFind(t, text("nguyem van linh"), idDaNang)  // nguyen -> nguyem
	s.mustFind(t, text("nguyn van linh"), idDaNang)   // nguyen -> nguyn
	s.mustFind(t, text("nguyeen van linh"), idDaNang) // nguyen -> nguyeen
	s.mustFind(t, text("tro cap that nghiepp"), idLate1, idLate2)
	// Two typos in a 6-letter word are too many, and a typo on the first
	// letter counts as two (as Meilisearch counts it).
	s.mustNotFind(t, text("nguxxn van linh"), idDaNang)
	s.mustNotFind(t, text("bguyen van linh"), idDaNang)
}

func boolp(b bool) *bool { return &b }

// expectExact checks hits (in order), total and facets against the oracle.
func (s *suite) expectExact(t *testing.T, name string, q search.Query) {
	t.Helper()
	q.Limit = search.MaxLimit
	want, wantFacets := oracle(s.docs, q)
	res := s.search(t, q)
	got := ids(res)
	if !slices.Equal(got, want) {
		t.Errorf("%s: hits %v, want %v", name, got, want)
	}
	if res.Total != len(want) {
		t.Errorf("%s: total %d, want %d", name, res.Total, len(want))
	}
	for _, f := range q.Facets {
		if fmt.Sprint(res.Facets[f]) != fmt.Sprint(wantFacets[f]) {
			t.Errorf("%s: facet %s = %v, want %v", name, f, res.Facets[f], wantFacets[f])
		}
	}
}

func (s *suite) testFilters(t *testing.T) {
	for name, q := range map[string]search.Query{
		"agency":             {Agencies: []string{"MOLISA"}},
		"agencies OR":        {Agencies: []string{"MOF", "VSS"}},
		"status":             {Statuses: []string{"open"}},
		"statuses OR":        {Statuses: []string{"new", "closed"}},
		"channel":            {Channels: []string{"sms"}},
		"category":           {Categories: []string{"tax"}},
		"province":           {Provinces: []string{"DN"}},
		"overdue":            {Overdue: boolp(true)},
		"not overdue":        {Overdue: boolp(false)},
		"created range":      {CreatedFrom: at(9), CreatedTo: at(44)},
		"created from":       {CreatedFrom: at(60)},
		"created to":         {CreatedTo: at(5)},
		"AND across fields":  {Statuses: []string{"open"}, Provinces: []string{"HCM"}, Overdue: boolp(true)},
		"no match":           {Agencies: []string{"MOLISA"}, Categories: []string{"tax"}},
		"unknown value":      {Provinces: []string{"XX"}},
		"agency not in path": {Agencies: []string{"DN"}}, // DN is only an ancestor: Agencies filters the owner
	} {
		s.expectExact(t, name, q)
	}
	// Filters combine with text.
	got := ids(s.search(t, search.Query{Text: "trợ cấp thất nghiệp", Provinces: []string{"HN"}}))
	slices.Sort(got)
	if want := []string{idLate1, idLate3}; !slices.Equal(got, want) {
		t.Errorf("text + province: got %v, want %v", got, want)
	}
}

func (s *suite) testFacets(t *testing.T) {
	all := []string{search.FacetAgency, search.FacetStatus, search.FacetChannel,
		search.FacetCategory, search.FacetProvince, search.FacetOverdue}
	s.expectExact(t, "all facets", search.Query{Facets: all})
	s.expectExact(t, "facets under filter", search.Query{Facets: all, Statuses: []string{"open"}})
	s.expectExact(t, "facets under scope", search.Query{Facets: all, Scope: []string{"MOF"}})
	// Facets follow the text too.
	res := s.search(t, search.Query{Text: "trợ cấp thất nghiệp", Facets: []string{search.FacetAgency}})
	if want := map[string]int{"MOLISA": 5, "DN-SLDTBXH": 1}; fmt.Sprint(res.Facets[search.FacetAgency]) != fmt.Sprint(want) {
		t.Errorf("text facets: %v, want %v", res.Facets[search.FacetAgency], want)
	}
}

func (s *suite) testSort(t *testing.T) {
	for _, sort := range []string{search.SortCreatedDesc, search.SortCreatedAsc, search.SortDueAsc} {
		s.expectExact(t, sort, search.Query{Sort: sort})
		s.expectExact(t, sort+" scoped", search.Query{Sort: sort, Scope: []string{"MOLISA", "DN"}})
	}
	// Default without text: newest first.
	s.expectExact(t, "default", search.Query{})
	// Sort applies to text results: all late payments by due date.
	got := ids(s.search(t, search.Query{Text: "trợ cấp thất nghiệp", Sort: search.SortDueAsc}))
	want := []string{idLate5, idLate2, idOtherLate, idLate4, idLate1, idLate3}
	if !slices.Equal(got, want) {
		t.Errorf("text sorted by due: got %v, want %v", got, want)
	}
	// Relevance: a title match of every word beats a ticket that only has
	// the words in its body.
	got = ids(s.search(t, text("hóa đơn điện tử")))
	if len(got) == 0 || got[0] != idInvoice {
		t.Errorf("relevance: got %v, want %s first", got, idInvoice)
	}
}

func (s *suite) testPagination(t *testing.T) {
	for _, base := range []search.Query{
		{Sort: search.SortCreatedAsc},
		{Sort: search.SortDueAsc, Scope: []string{"MOLISA", "MOF"}},
		{Text: "trợ cấp thất nghiệp"},
	} {
		full := base
		full.Limit = search.MaxLimit
		want := ids(s.search(t, full))
		var got []string
		for off := 0; off < len(want)+3; off += 3 {
			page := base
			page.Offset, page.Limit = off, 3
			res := s.search(t, page)
			if res.Total != len(want) {
				t.Errorf("page at %d: total %d, want %d", off, res.Total, len(want))
			}
			if len(res.Hits) > 3 {
				t.Errorf("page at %d: %d hits, limit 3", off, len(res.Hits))
			}
			got = append(got, ids(res)...)
		}
		if !slices.Equal(got, want) {
			t.Errorf("pages of %+v: %v, want %v", base, got, want)
		}
	}
	// The default limit is 20, and larger limits are clamped to 100.
	res := s.search(t, search.Query{Limit: 1000})
	if len(res.Hits) != len(s.docs) {
		t.Errorf("limit clamp: %d hits, want %d", len(res.Hits), len(s.docs))
	}
}

func (s *suite) testScope(t *testing.T) {
	all := []string{search.FacetAgency, search.FacetStatus, search.FacetChannel,
		search.FacetCategory, search.FacetProvince, search.FacetOverdue}
	// Tampering: a staff member of MOLISA asks for MOF's tickets.
	for name, q := range map[string]search.Query{
		"agency filter outside scope": {Scope: []string{"MOLISA"}, Agencies: []string{"MOF"}, Facets: all},
		"child agency outside scope":  {Scope: []string{"MOLISA"}, Agencies: []string{"MOF-GDT"}, Facets: all},
		"text of another agency":      {Scope: []string{"MOLISA"}, Text: "hoàn thuế thu nhập", Facets: all},
		"tracking code of another":    {Scope: []string{"MOLISA"}, Text: "PA-3ER4T-YU5IO", Facets: all},
		"phone of another agency":     {Scope: []string{"MOLISA"}, Text: "4242", Facets: all},
		"empty scope":                 {Scope: []string{}, Facets: all},
		"empty scope with text":       {Scope: []string{}, Text: "trợ cấp", Facets: all},
		"unknown agency scope":        {Scope: []string{"NOPE"}, Facets: all},
		"child scope, parent filter":  {Scope: []string{"MOF-GDT"}, Agencies: []string{"MOF"}, Facets: all},
	} {
		res := s.search(t, q)
		if len(res.Hits) != 0 || res.Total != 0 {
			t.Errorf("%s: leaked %v (total %d)", name, ids(res), res.Total)
		}
		for f, counts := range res.Facets {
			for v, n := range counts {
				if n != 0 {
					t.Errorf("%s: facet %s leaked %s=%d", name, f, v, n)
				}
			}
		}
	}
	// A parent agency's scope covers its children, not the other way round.
	s.expectExact(t, "parent scope", search.Query{Scope: []string{"MOF"}, Facets: all})
	s.expectExact(t, "child scope", search.Query{Scope: []string{"MOF-GDT"}, Facets: all})
	s.expectExact(t, "two scopes", search.Query{Scope: []string{"VSS", "DN-SXD"}, Facets: all})
	s.expectExact(t, "scope + filter", search.Query{Scope: []string{"DN"}, Agencies: []string{"DN-SXD", "MOLISA"}, Facets: all})
	// Text results obey scope as well, and so do their facets.
	res := s.search(t, search.Query{Text: "trợ cấp thất nghiệp", Scope: []string{"DN"}, Facets: all})
	if got := ids(res); !slices.Equal(got, []string{idOtherLate}) || res.Total != 1 {
		t.Errorf("scoped text: %v (total %d), want only %s", got, res.Total, idOtherLate)
	}
	if fmt.Sprint(res.Facets[search.FacetAgency]) != fmt.Sprint(map[string]int{"DN-SLDTBXH": 1}) {
		t.Errorf("scoped text facets: %v", res.Facets[search.FacetAgency])
	}
	// Nothing outside the scope ever, whatever the query.
	for _, q := range []search.Query{
		{Scope: []string{"VSS"}, Text: "chưa nhận được tiền", IncludeStaffNotes: true, Highlight: true},
		{Scope: []string{"VSS"}, Text: "Đà Nẵng"},
		{Scope: []string{"VSS"}, Sort: search.SortDueAsc, Limit: 100},
	} {
		for _, h := range s.search(t, q).Hits {
			if !strings.HasPrefix(h.ID, "ins-") {
				t.Errorf("scope VSS, query %q: leaked %s", q.Text, h.ID)
			}
		}
	}
}

func (s *suite) testPublished(t *testing.T) {
	all := []string{search.FacetAgency, search.FacetStatus}
	s.expectExact(t, "published only", search.Query{PublishedOnly: true, Facets: all})
	s.expectExact(t, "published + scope", search.Query{PublishedOnly: true, Scope: []string{"MOF-GDT"}, Facets: all})
	pub := func(text string) search.Query { return search.Query{Text: text, PublishedOnly: true} }
	s.mustFind(t, pub("da nang"), idDaNang)
	s.mustFind(t, pub("lệ phí trước bạ xe máy"), idFee)
	s.mustFind(t, pub("khắc phục lỗi tra cứu"), idInvoice) // a public reply is searchable
	s.mustNotFind(t, pub("trợ cấp thất nghiệp"), idLate1, idLate2, idLate3, idLate4, idLate5, idOtherLate)
	// Staff notes, tracking codes and phone digits are not public.
	s.mustNotFind(t, pub("rà soát biểu phí"), idFee)
	s.mustNotFind(t, pub("PA-9OL8K-IJ7UH"), idFee)
	s.mustNotFind(t, pub("1357"), idFee)
}

func (s *suite) testStaffNotes(t *testing.T) {
	s.mustNotFind(t, text("thanh tra xác minh"), idLate1)
	s.mustFind(t, search.Query{Text: "thanh tra xác minh", IncludeStaffNotes: true}, idLate1)
	s.mustNotFind(t, text("rà soát biểu phí"), idFee)
	s.mustFind(t, search.Query{Text: "rà soát biểu phí", IncludeStaffNotes: true}, idFee)
	// Highlights never show a note the query could not search.
	res := s.search(t, search.Query{Text: "chứng từ khấu trừ hoàn thuế", IncludeStaffNotes: true, Highlight: true})
	if got := ids(res); len(got) != 1 || got[0] != idTaxRefund {
		t.Fatalf("note search: %v", got)
	}
	if len(res.Hits[0].Highlights[search.FieldStaffNotes]) == 0 {
		t.Errorf("note search: no staff_notes highlight in %v", res.Hits[0].Highlights)
	}
	res = s.search(t, search.Query{Text: "hoàn thuế", Highlight: true})
	for _, h := range res.Hits {
		if _, ok := h.Highlights[search.FieldStaffNotes]; ok {
			t.Errorf("staff notes highlighted without IncludeStaffNotes: %v", h.Highlights)
		}
	}
}

func (s *suite) testCodes(t *testing.T) {
	for _, q := range []string{trackingLate1, strings.ToLower(trackingLate1), "7KQ2M", "7kq2m", "XH4RT"} {
		res := s.mustFind(t, text(q), idLate1)
		if got := ids(res); len(got) == 0 || got[0] != idLate1 {
			t.Errorf("tracking %q: got %v, want %s first", q, got, idLate1)
		}
	}
	// Codes are exact: one wrong character is another ticket, not a typo.
	s.mustNotFind(t, text("PA-7KQ2N-XH4RT"), idLate1)
	s.mustNotFind(t, text("7KQ2N"), idLate1)
	res := s.mustFind(t, text("0912"), idLate1)
	if got := ids(res); len(got) != 1 {
		t.Errorf("phone 0912: got %v, want only %s", got, idLate1)
	}
	s.mustFind(t, text("8801"), idInsAccent)
}

func (s *suite) testHighlight(t *testing.T) {
	res := s.search(t, search.Query{Text: "đà nẵng", Highlight: true})
	if len(res.Hits) != 1 {
		t.Fatalf("hits %v", ids(res))
	}
	h := res.Hits[0].Highlights
	if got, want := h[search.FieldTitle], []string{"Đường ngập nước sau mưa ở <mark>Đà</mark> <mark>Nẵng</mark>"}; !slices.Equal(got, want) {
		t.Errorf("title highlight %q, want %q", got, want)
	}
	if body := strings.Join(h[search.FieldBody], " "); !strings.Contains(body, "<mark>Đà</mark> <mark>Nẵng</mark>") {
		t.Errorf("body highlight %q", body)
	}
	// Everything but the marks is HTML-escaped.
	res = s.search(t, search.Query{Text: "rác thải", Highlight: true})
	if len(res.Hits) != 1 {
		t.Fatalf("hits %v", ids(res))
	}
	want := "<mark>Rác</mark> <mark>thải</mark> tràn ra đường &lt;Khu phố 3&gt; &amp; bốc mùi"
	if got := res.Hits[0].Highlights[search.FieldTitle]; !slices.Equal(got, []string{want}) {
		t.Errorf("escaped title highlight %q, want %q", got, want)
	}
	// No highlights unless asked.
	for _, h := range s.search(t, text("rác thải")).Hits {
		if len(h.Highlights) != 0 {
			t.Errorf("highlights without Highlight: %v", h.Highlights)
		}
	}
}

func (s *suite) testInvalid(t *testing.T) {
	for name, q := range map[string]search.Query{
		"sort":              {Sort: "due_desc"},
		"facet":             {Facets: []string{"priority"}},
		"empty filter":      {Statuses: []string{""}},
		"empty scope code":  {Scope: []string{"MOLISA", " "}},
		"negative offset":   {Offset: -1},
		"reversed range":    {CreatedFrom: at(10), CreatedTo: at(5)},
		"public with notes": {PublishedOnly: true, IncludeStaffNotes: true},
		"too many words":    {Text: strings.Repeat("từ ", search.MaxWords+1)},
	} {
		if _, err := s.ix.Search(context.Background(), q); !errors.Is(err, search.ErrInvalidQuery) {
			t.Errorf("%s: err = %v, want ErrInvalidQuery", name, err)
		}
	}
	_, err := s.ix.Similar(context.Background(), s.docs[0], search.SimilarQuery{Limit: 6})
	if !errors.Is(err, search.ErrInvalidQuery) {
		t.Errorf("similar limit 6: err = %v, want ErrInvalidQuery", err)
	}
}

func (s *suite) testSimilar(t *testing.T) {
	ctx := context.Background()
	group := []string{idLate1, idLate2, idLate3, idLate4, idLate5}
	byID := map[string]search.Doc{}
	for _, d := range s.docs {
		byID[d.ID] = d
	}
	found, possible := 0, 0
	for _, id := range group {
		hits, err := s.ix.Similar(ctx, byID[id], search.SimilarQuery{Since: base})
		if err != nil {
			t.Fatal(err)
		}
		got := hitIDs(hits)
		for _, h := range hits { // intake confirms candidates from the hit's text
			if h.Title != byID[h.ID].Title || h.Body != byID[h.ID].Body {
				t.Errorf("similar hit %s carries title %q body %q, want the indexed ones", h.ID, h.Title, h.Body)
			}
		}
		for _, other := range group {
			if other == id {
				continue
			}
			possible++
			if slices.Contains(got, other) {
				found++
			}
		}
		if slices.Contains(got, id) {
			t.Errorf("similar of %s returned itself", id)
		}
		if slices.Contains(got, idPermit) {
			t.Errorf("similar of %s returned the unrelated %s: %v", id, idPermit, got)
		}
		if slices.Contains(got, idOtherLate) {
			t.Errorf("similar of %s returned %s of another agency: %v", id, idOtherLate, got)
		}
	}
	if found*10 < possible*8 {
		t.Errorf("late payments found each other %d/%d times, want >= 80%%", found, possible)
	}
	// The unrelated submission finds none of them.
	hits, err := s.ix.Similar(ctx, byID[idPermit], search.SimilarQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range hitIDs(hits) {
		if slices.Contains(group, id) {
			t.Errorf("unrelated ticket matched late payment %s", id)
		}
	}
	// A new submission (not indexed) about the same thing.
	fresh := search.Doc{
		ID: "new-1", Agency: "MOLISA", AgencyPath: []string{"MOLISA"}, CreatedAt: at(100),
		Title: "Đề nghị chi trả trợ cấp thất nghiệp",
		Body:  "Đã ba tháng tôi chưa được chi trả trợ cấp thất nghiệp.",
	}
	check := func(name string, sq search.SimilarQuery, want func(got []string) bool) {
		t.Helper()
		hits, err := s.ix.Similar(ctx, fresh, sq)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := hitIDs(hits); !want(got) {
			t.Errorf("%s: got %v", name, got)
		}
	}
	check("fresh", search.SimilarQuery{}, func(got []string) bool { return len(got) >= 3 && len(got) <= search.MaxSimilar })
	check("limit", search.SimilarQuery{Limit: 2}, func(got []string) bool { return len(got) == 2 })
	check("exclude", search.SimilarQuery{ExcludeIDs: []string{idLate1, idLate2}}, func(got []string) bool {
		return len(got) > 0 && !slices.Contains(got, idLate1) && !slices.Contains(got, idLate2)
	})
	check("since", search.SimilarQuery{Since: at(10)}, func(got []string) bool {
		for _, id := range got {
			if id != idLate4 && id != idLate5 {
				return false
			}
		}
		return len(got) > 0
	})
	check("scope outside agency", search.SimilarQuery{Scope: []string{"MOF"}}, func(got []string) bool { return len(got) == 0 })
	check("empty scope", search.SimilarQuery{Scope: []string{}}, func(got []string) bool { return len(got) == 0 })
	check("agency override", search.SimilarQuery{Agency: "DN-SLDTBXH"}, func(got []string) bool {
		return slices.Equal(got, []string{idOtherLate})
	})
}

func hitIDs(hits []search.Hit) []string {
	out := make([]string, 0, len(hits))
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

// testWrites checks upserts and deletes on a fresh index.
func testWrites(t *testing.T, ix search.Index) {
	ctx := context.Background()
	docs := Fixtures()
	if err := ix.Index(ctx, docs...); err != nil {
		t.Fatal(err)
	}
	find := func(q search.Query) []string {
		t.Helper()
		res, err := ix.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return ids(res)
	}
	// Update: re-indexing a changed ticket changes what finds it.
	d := docs[7] // Đà Nẵng
	if d.ID != idDaNang {
		t.Fatalf("fixture order changed: %s", d.ID)
	}
	d.Title = "Cây xanh gãy đổ chắn lối đi"
	d.Body = "Sau bão, cây xanh trên đường Bạch Đằng gãy đổ chắn lối đi."
	d.Messages = nil
	d.Status = "closed"
	if err := ix.Index(ctx, d); err != nil {
		t.Fatal(err)
	}
	if got := find(text("ngập nước")); slices.Contains(got, idDaNang) {
		t.Errorf("old title still found: %v", got)
	}
	if got := find(text("cây xanh gãy đổ")); !slices.Equal(got, []string{idDaNang}) {
		t.Errorf("new title: %v", got)
	}
	res, err := ix.Search(ctx, search.Query{Statuses: []string{"closed"}, Facets: []string{search.FacetStatus}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ids(res), idDaNang) || res.Facets[search.FacetStatus]["closed"] != 2 {
		t.Errorf("status update: %v %v", ids(res), res.Facets)
	}
	if n, _ := ix.Count(ctx); n != len(docs) {
		t.Errorf("count after update %d, want %d", n, len(docs))
	}
	// Delete: gone from hits, totals, facets and count; unknown IDs are fine.
	if err := ix.Delete(ctx, idDaNang, idFee, "no-such-ticket"); err != nil {
		t.Fatal(err)
	}
	if got := find(text("cây xanh")); len(got) != 0 {
		t.Errorf("deleted ticket found: %v", got)
	}
	res, err = ix.Search(ctx, search.Query{Facets: []string{search.FacetAgency}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != len(docs)-2 || res.Facets[search.FacetAgency]["MOF"] != 0 || res.Facets[search.FacetAgency]["DN-SXD"] != 1 {
		t.Errorf("after delete: total %d facets %v", res.Total, res.Facets)
	}
	if n, _ := ix.Count(ctx); n != len(docs)-2 {
		t.Errorf("count after delete %d, want %d", n, len(docs)-2)
	}
}
