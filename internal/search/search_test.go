package search

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestNormalizeDefaults(t *testing.T) {
	q, err := Query{Text: "trợ cấp"}.Normalize()
	if err != nil || q.Sort != SortRelevance || q.Limit != DefaultLimit {
		t.Errorf("text defaults: %+v %v", q, err)
	}
	q, err = Query{Sort: SortRelevance, Limit: 500, Facets: []string{FacetAgency, FacetAgency}}.Normalize()
	if err != nil || q.Sort != SortCreatedDesc || q.Limit != MaxLimit || len(q.Facets) != 1 {
		t.Errorf("empty-text defaults: %+v %v", q, err)
	}
	// nil and empty scopes stay distinct: nil is unrestricted, empty is nothing.
	q, _ = Query{}.Normalize()
	if q.Scope != nil {
		t.Error("nil scope became non-nil")
	}
	q, _ = Query{Scope: []string{}}.Normalize()
	if q.Scope == nil || !MatchesNothing(q.Scope) {
		t.Error("empty scope lost")
	}
	q, _ = Query{Scope: []string{" MOF ", "MOF"}}.Normalize()
	if !slices.Equal(q.Scope, []string{"MOF"}) {
		t.Errorf("scope not cleaned: %q", q.Scope)
	}
	if _, err := (SimilarQuery{Limit: MaxSimilar + 1}).Normalize(); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("similar limit: %v", err)
	}
}

func TestWordsAndFuzzy(t *testing.T) {
	if got := Words("PA-7KQ2M-XH4RT, Đà Nẵng!"); !slices.Equal(got, []string{"PA", "7KQ2M", "XH4RT", "Đà", "Nẵng"}) {
		t.Errorf("Words = %q", got)
	}
	if got := Words(norm.NFD.String("Đà Nẵng")); !slices.Equal(got, []string{"Đà", "Nẵng"}) {
		t.Errorf("Words(NFD) = %q, want NFC words", got)
	}
	for w, want := range map[string]bool{"nghiệp": true, "Nguyễn": true, "trợ": false, "đường": true, "7KQ2M": false, "12345": false} {
		if Fuzzy(w) != want {
			t.Errorf("Fuzzy(%q) = %v", w, !want)
		}
	}
}

func TestHighlighter(t *testing.T) {
	h := NewHighlighter("da nang nguyem")
	if got := h.Mark("Mưa lớn ở Đà Nẵng, đường Nguyễn Văn Linh ngập"); got !=
		"Mưa lớn ở <mark>Đà</mark> <mark>Nẵng</mark>, đường <mark>Nguyễn</mark> Văn Linh ngập" {
		t.Errorf("Mark = %q", got)
	}
	if got := h.Mark("nothing here"); got != "" {
		t.Errorf("no match should give empty, got %q", got)
	}
	if got := NewHighlighter("a&b").Mark(`<script>alert("a")</script> & b`); got !=
		`&lt;script&gt;alert(&#34;<mark>a</mark>&#34;)&lt;/script&gt; &amp; <mark>b</mark>` {
		t.Errorf("escaping: %q", got)
	}
	// Long text: fragments around matches, cut at word boundaries.
	long := strings.Repeat("Người dân phản ánh nhiều lần. ", 20) + "Đường ngập ở Đà Nẵng. " + strings.Repeat("Chưa được xử lý. ", 20)
	frags := NewHighlighter("Đà Nẵng").Fragments(long)
	if len(frags) != 1 || !strings.Contains(frags[0], "<mark>Đà</mark> <mark>Nẵng</mark>") ||
		!strings.HasPrefix(frags[0], "…") || !strings.HasSuffix(frags[0], "…") || len([]rune(frags[0])) > fragmentRunes+30 {
		t.Errorf("fragments = %q", frags)
	}
	// One edit, never on the first letter, only on long words.
	for a, want := range map[[2]string]bool{
		{"nguyen", "nguyem"}: true, {"nguyen", "nguyn"}: true, {"nguyen", "bguyen"}: false,
		{"nguyen", "nguxxn"}: false, {"abc", "abd"}: true,
	} {
		if withinOneEdit([]rune(a[0]), []rune(a[1])) != want {
			t.Errorf("withinOneEdit(%q, %q) = %v", a[0], a[1], !want)
		}
	}
	if NewHighlighter("tra").Mark("trà") == "" || NewHighlighter("tra").Mark("trả tro") != "<mark>trả</mark> tro" {
		t.Error("short words must match folded but not fuzzily")
	}
}

func TestSignificantWords(t *testing.T) {
	got := SignificantWords(Doc{Title: "Tôi chưa nhận được trợ cấp", Body: "Xin cảm ơn, trợ cấp thất nghiệp"})
	if want := []string{"nhan", "tro", "cap", "that", "nghiep"}; !slices.Equal(got, want) {
		t.Errorf("SignificantWords = %q, want %q", got, want)
	}
}
