package spam

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultRulesRoundTrip(t *testing.T) {
	r := DefaultRules()
	if r.Version < 1 || len(r.Terms) == 0 {
		t.Fatalf("default rules look empty: %+v", r)
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseRules(data)
	if err != nil {
		t.Fatalf("re-parsing marshalled default rules: %v", err)
	}
	if !reflect.DeepEqual(r, back) {
		t.Error("default rules changed in a JSON round trip")
	}
	if !strings.Contains(string(DefaultRulesJSON()), `"min_form_age": "3s"`) {
		t.Error("DefaultRulesJSON should return the embedded document")
	}
}

// edit returns the default rules document with one top-level field
// replaced (or removed when value is nil), as an administrator might.
func edit(t *testing.T, field string, value any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(DefaultRulesJSON(), &m); err != nil {
		t.Fatal(err)
	}
	if value == nil {
		delete(m, field)
	} else {
		m[field] = value
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func group(name string, weight float64, maxCount int, glued bool, terms ...string) map[string]any {
	return map[string]any{"name": name, "weight": weight, "max_count": maxCount, "glued": glued, "terms": terms}
}

func TestParseRulesValidation(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string // substring of the error
	}{
		{"not JSON", []byte("{"), "unexpected EOF"},
		{"trailing data", append(DefaultRulesJSON(), []byte(" {}")...), "unexpected data after"},
		{"unknown field", edit(t, "link_wieght", 1), `unknown field "link_wieght"`},
		{"negative suspect_at", edit(t, "suspect_at", -1), "suspect_at: must be positive"},
		{"zero spam_at", edit(t, "spam_at", 0), "spam_at: must be positive"},
		{"missing spam_at", edit(t, "spam_at", nil), "spam_at: must be positive"},
		{"suspect above spam", edit(t, "suspect_at", 7), "suspect_at: 7 is above spam_at 6"},
		{"version zero", edit(t, "version", 0), "version: must be at least 1"},
		{"negative weight", edit(t, "honeypot_weight", -5), "honeypot_weight: must not be negative"},
		{"zero cap", edit(t, "glued_max_count", 0), "glued_max_count: must be at least 1"},
		{"non-positive density", edit(t, "link_density_at", 0), "link_density_at: must be positive"},
		{"negative form age", edit(t, "min_form_age", "-2s"), "min_form_age: must not be negative"},
		{"form age not a duration", edit(t, "min_form_age", "three seconds"), "invalid duration"},
		{"form age as number", edit(t, "min_form_age", 3), "duration must be a string"},
		{"empty term", edit(t, "terms", []any{group("g", 1, 1, false, "casino", "")}), `terms[0].terms[1]: "" has no letters`},
		{"punctuation term", edit(t, "terms", []any{group("g", 1, 1, false, "!!!")}), "has no letters or digits"},
		{"duplicate after folding", edit(t, "terms", []any{group("g", 1, 1, false, "cá cược", "CA CUOC")}), "same as terms[0].terms[0]"},
		{"duplicate across groups", edit(t, "terms", []any{group("a", 1, 1, false, "casino"), group("b", 1, 1, false, "Casino")}), "terms[1].terms[0]"},
		{"duplicate group name", edit(t, "terms", []any{group("a", 1, 1, false, "x1"), group("a", 1, 1, false, "y1")}), `"a" is already used by terms[0]`},
		{"empty group name", edit(t, "terms", []any{group(" ", 1, 1, false, "x1")}), "empty group name"},
		{"group without terms", edit(t, "terms", []any{group("g", 1, 1, false)}), "group has no terms"},
		{"group cap zero", edit(t, "terms", []any{group("g", 1, 0, false, "x1")}), "terms[0].max_count: must be at least 1"},
		{"glued term too short", edit(t, "terms", []any{group("g", 1, 1, true, "ab")}), "too short to match inside"},
		{"domain with scheme", edit(t, "blocked_domains", []string{"https://w88.com"}), "without scheme or path"},
		{"domain with space", edit(t, "blocked_domains", []string{"w88 .com"}), "not a valid domain"},
		{"domain with empty label", edit(t, "blocked_domains", []string{"w88..com"}), "not a valid domain"},
		{"domain with hyphen edge", edit(t, "shortener_domains", []string{"-bit.ly"}), "not a valid domain"},
		{"single-label domain", edit(t, "blocked_domains", []string{"com"}), "need at least 2 labels"},
		{"empty domain", edit(t, "trusted_domain_suffixes", []string{""}), "empty domain"},
		{"blocked inside trusted", edit(t, "blocked_domains", []string{"evil.gov.vn"}), `inside trusted domain "gov.vn"`},
		{"listed twice", edit(t, "shortener_domains", []string{"bit.ly", "BIT.LY"}), "already listed"},
		{"tld with dots", edit(t, "suspicious_tlds", []string{".co.vn"}), "top-level domain only"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRules(tc.data)
			if err == nil {
				t.Fatalf("no error; want one containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestParseRulesReportsAllProblems(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal(DefaultRulesJSON(), &m); err != nil {
		t.Fatal(err)
	}
	m["suspect_at"] = -1
	m["blocked_domains"] = []string{"bad domain"}
	m["fast_form_weight"] = -3
	data, _ := json.Marshal(m)
	_, err := ParseRules(data)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"suspect_at", "blocked_domains[0]", "fast_form_weight"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
}

func TestValidateRejectsNonFiniteNumbers(t *testing.T) {
	for _, set := range []func(*Rules){
		func(r *Rules) { r.SpamAt = math.Inf(1) },
		func(r *Rules) { r.LinkWeight = math.NaN() },
		func(r *Rules) { r.Terms[0].Weight = math.NaN() },
	} {
		r := DefaultRules()
		set(r)
		if err := r.Validate(); err == nil || !strings.Contains(err.Error(), "finite") {
			t.Errorf("want a finite-number error, got %v", err)
		}
		if _, err := NewScorer(r); err == nil {
			t.Error("NewScorer accepted invalid rules")
		}
	}
}

func TestNewScorerIsIndependentOfLaterEdits(t *testing.T) {
	r := DefaultRules()
	s, err := NewScorer(r)
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Channel: ChannelWeb, Body: "nhà cái uy tín, cá cược bóng đá, casino online"}
	before := s.Score(in)
	r.Terms = nil
	r.SpamAt = 100
	r.BlockedDomains[0] = "example.com"
	if after := s.Score(in); !reflect.DeepEqual(before, after) {
		t.Errorf("editing Rules after NewScorer changed the result:\n%+v\n%+v", before, after)
	}
}

func TestNegativeTermWeightsAreAllowed(t *testing.T) {
	data := edit(t, "terms", []any{group("ham", -1, 2, false, "khiếu nại")})
	r, err := ParseRules(data)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewScorer(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Score(Input{Body: "Tôi khiếu nại"}).Score; got != -1 {
		t.Errorf("score %v, want -1", got)
	}
}
