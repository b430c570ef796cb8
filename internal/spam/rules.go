package spam

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

//go:embed default_rules.json
var defaultRulesJSON []byte

// Rules is the administrator-editable description of what counts as spam:
// thresholds, weights, vocabulary and domain lists. It is plain data that
// round-trips through JSON; NewScorer compiles it for scoring.
//
// Weights are points added to a submission's score. Where a weight applies
// per occurrence, a matching MaxCount caps how many occurrences count, so
// one repeated word or link cannot run the score up on its own.
type Rules struct {
	// Version is a number the administrators bump on every edit, recorded
	// with each verdict so a quarantine decision can be traced to its rules.
	Version int `json:"version"`

	// SuspectAt is the score from which a submission is tagged for review
	// but still delivered.
	SuspectAt float64 `json:"suspect_at"`
	// SpamAt is the score from which a submission is quarantined.
	SpamAt float64 `json:"spam_at"`

	// Terms are vocabulary groups; see TermRule.
	Terms []TermRule `json:"terms"`

	// BlockedDomains are link domains known to be spam; subdomains are
	// included.
	BlockedDomains []string `json:"blocked_domains"`
	// ShortenerDomains are URL shorteners (bit.ly …), which hide the real
	// destination; subdomains are included.
	ShortenerDomains []string `json:"shortener_domains"`
	// TrustedDomainSuffixes are domains whose links never add risk, such as
	// "gov.vn" or "dichvucong.gov.vn"; a leading dot is optional and
	// subdomains are always included. Text inside such links is not
	// scanned for vocabulary either.
	TrustedDomainSuffixes []string `json:"trusted_domain_suffixes"`
	// SuspiciousTLDs are top-level domains favoured by throw-away spam
	// sites (".vip", ".top" …); the leading dot is optional.
	SuspiciousTLDs []string `json:"suspicious_tlds"`

	// FreeLinks untrusted links are allowed before LinkWeight applies:
	// citizens paste a news article or a Facebook post.
	FreeLinks int `json:"free_links"`
	// LinkWeight is added per untrusted link beyond FreeLinks.
	LinkWeight float64 `json:"link_weight"`
	// LinkMaxCount caps how many links LinkWeight is added for.
	LinkMaxCount int `json:"link_max_count"`
	// LinkDensityAt is the number of untrusted links per 100 words of
	// prose from which LinkDensityWeight applies (with two links at least).
	LinkDensityAt float64 `json:"link_density_at"`
	// LinkDensityWeight is added once for a link-dense submission.
	LinkDensityWeight float64 `json:"link_density_weight"`
	// BlockedDomainWeight is added per distinct host under a blocked
	// domain, and once for a blocked domain in the sender's e-mail address.
	BlockedDomainWeight float64 `json:"blocked_domain_weight"`
	// ShortenerWeight is added per distinct shortener host.
	ShortenerWeight float64 `json:"shortener_weight"`
	// SuspiciousTLDWeight is added per distinct host under a suspicious TLD.
	SuspiciousTLDWeight float64 `json:"suspicious_tld_weight"`
	// DomainMaxCount caps how many hosts each of the three domain weights
	// above is added for.
	DomainMaxCount int `json:"domain_max_count"`
	// ShortBodyMaxWords is the most words besides links that a body may
	// have for ShortLinkOnlyWeight to apply.
	ShortBodyMaxWords int `json:"short_body_max_words"`
	// ShortLinkOnlyWeight is added when the body has an untrusted link and
	// hardly anything else.
	ShortLinkOnlyWeight float64 `json:"short_link_only_weight"`
	// GluedTokenWeight is added per "glued" token, a brand or URL stuck to
	// filler with underscores or odd symbols ("nhacai_uytin_top1",
	// "fb88•com").
	GluedTokenWeight float64 `json:"glued_token_weight"`
	// GluedMaxCount caps how many glued tokens count.
	GluedMaxCount int `json:"glued_max_count"`
	// HoneypotWeight is added when the hidden form field was filled in.
	// Browser autofill occasionally fills hidden fields, so the default
	// weight tags rather than quarantines on its own.
	HoneypotWeight float64 `json:"honeypot_weight"`
	// MinFormAge is the least time a person needs to fill in the form.
	MinFormAge Duration `json:"min_form_age"`
	// FastFormWeight is added when the form was submitted less than
	// MinFormAge after it was rendered.
	FastFormWeight float64 `json:"fast_form_weight"`
	// RepeatedBodyMin is how many other senders must have sent the same
	// normalised body for RepeatedBodyWeight to apply.
	RepeatedBodyMin int `json:"repeated_body_min"`
	// RepeatedBodyMinWords is the fewest words a repeated body must have:
	// short bodies such as "chưa nhận được tiền" coincide naturally.
	RepeatedBodyMinWords int `json:"repeated_body_min_words"`
	// RepeatedBodyWeight is added for a body many senders sent. Hotline
	// summaries are exempt: operators write them from templates.
	RepeatedBodyWeight float64 `json:"repeated_body_weight"`
	// SenderHistoryWeight is added per earlier confirmed-spam submission
	// from the sender.
	SenderHistoryWeight float64 `json:"sender_history_weight"`
	// SenderHamWeight is subtracted per earlier confirmed-real ticket.
	SenderHamWeight float64 `json:"sender_ham_weight"`
	// SenderMaxCount caps how many earlier submissions each of the two
	// sender weights counts.
	SenderMaxCount int `json:"sender_max_count"`
	// ShoutWeight is added when the title and body are mostly capitals.
	// Angry citizens shout, so it should stay token-sized.
	ShoutWeight float64 `json:"shout_weight"`

	// The settings below were added in rules version 2. A document
	// written for version 1 leaves them out, which turns their signals
	// off rather than making the document invalid.

	// ChatInviteDomains are chat-app invitation hosts (t.me, zalo.me,
	// wa.me …); subdomains are included. A link there moves the
	// conversation off the record, the usual next step of loan, job and
	// investment scams. Citizens give their Zalo number instead, and phone
	// numbers are never scored.
	ChatInviteDomains []string `json:"chat_invite_domains"`
	// ChatInviteWeight is added per distinct chat-invitation host.
	ChatInviteWeight float64 `json:"chat_invite_weight"`
	// HandleWeight is added once for messaging handles written outside an
	// e-mail address ("Telegram @tuyen_ctv", "(@kiemtien247)").
	HandleWeight float64 `json:"handle_weight"`
	// LeetWeight is added per distinct word written with digits in place
	// of letters inside it ("v1agra", "ch1nh h4ng", "Z4lo"), once at least
	// LeetMinWords such words appear, for at most LeetMaxCount words. A
	// single such word is usually a code ("H5N1", a phone model), so the
	// minimum should stay at 2 or more; 0 means 2. The words themselves are
	// also read with the digits as letters when vocabulary is matched.
	LeetWeight   float64 `json:"leet_weight"`
	LeetMinWords int     `json:"leet_min_words"`
	LeetMaxCount int     `json:"leet_max_count"`
	// PromoSymbols are pictographs that advertising uses as bullets and
	// eye-catchers ("✅👉🔥🎁💰"); every character of the string counts.
	// Faces are deliberately not listed: angry citizens use them.
	PromoSymbols string `json:"promo_symbols"`
	// PromoSymbolMin is how many occurrences it takes for
	// PromoSymbolWeight to be added, once; 0 means 2.
	PromoSymbolMin    int     `json:"promo_symbol_min"`
	PromoSymbolWeight float64 `json:"promo_symbol_weight"`
	// ComplaintGuard holds at suspect a submission that reads as a
	// complaint (a negative-weight term group matched in its prose) and
	// reaches spam_at only through vocabulary: the links, bot traps and
	// text-shape signals of the message must reach suspect_at on their
	// own for it to be quarantined. Citizens who report a betting-site
	// injection or a scam text quote the spam's own words; binning them
	// is the worse mistake, and a spammer who adds complaint words to
	// dodge quarantine is still tagged.
	ComplaintGuard bool `json:"complaint_guard"`
	// LookalikeBrands are names that belong to trusted institutions
	// ("bhxh", "dichvucong", "vietcombank"); a link host containing one of
	// them as a label or a hyphen-separated part ("bhxh-hotro.online",
	// "vcb-xacthuc.com") that is not under a trusted or listed domain
	// gets LookalikeWeight per host (at most DomainMaxCount hosts): the
	// shape of phishing.
	LookalikeBrands []string `json:"lookalike_brands"`
	LookalikeWeight float64  `json:"lookalike_weight"`
	// FirstPersonWords are the words a writer uses for themself ("tôi",
	// "em", "cháu", "I", "my"); "tôi" right after "chúng" ("we") does not
	// count. ImpersonalContactWeight is added once when the prose has
	// none of them yet the message gives a way to reach someone: a link
	// outside trusted domains, a messaging handle, an e-mail address or a
	// phone number in the text. Citizens write about themselves ("tôi đã
	// nộp…", "con tôi…"); advertisements and scams address the reader
	// ("liên hệ…", "quý khách…"). It is not evidence on its own (a
	// company writing "chúng tôi" has no first person either), so its
	// weight should stay near 1. Hotline summaries, written by operators
	// in the third person, are exempt.
	FirstPersonWords        []string `json:"first_person_words"`
	ImpersonalContactWeight float64  `json:"impersonal_contact_weight"`

	// The settings below were added in rules version 3. Unlike the
	// version-2 ones, a document that leaves one out gets its built-in
	// default (version3Defaults), so a document stored before version 3
	// keeps loading and gains these signals too; write 0 to turn one off.

	// UpstreamSpamWeight is added when a mail server before ours marked
	// the message as spam (X-Spam-Flag: YES or X-Spam-Status: Yes). It is
	// strong evidence, but the upstream filter was not written for
	// Vietnamese complaints, so alone it should tag rather than
	// quarantine: keep it below spam_at.
	UpstreamSpamWeight float64 `json:"upstream_spam_weight"`
	// InjectionWeight is added once when glued tokens written in plain
	// ASCII ("tructiep_bongda_ko66") sit inside prose written with
	// Vietnamese diacritics: keywords pasted into someone else's text,
	// which is how SEO injections on news and government pages look. A
	// citizen writing with diacritics does not switch to slugs mid-sentence.
	InjectionWeight float64 `json:"injection_weight"`
	// BrandShapeWeight is added once for words shaped like a betting or
	// game brand (a short name with a lucky number: "ko66", "sin88",
	// "99ok", "188bet") that are repeated or glued to filler. It catches
	// brands that are not in any list yet.
	BrandShapeWeight float64 `json:"brand_shape_weight"`
	// BayesWeight is the most the learned model (bayes.go) adds, reached
	// when it is very sure the wording is spam. Like vocabulary, it does
	// not quarantine a text that reads as a complaint.
	BayesWeight float64 `json:"bayes_weight"`
	// ComplaintNeedsFirstPerson counts negative-weight (complaint) term
	// groups only in a text with a first-person word (FirstPersonWords):
	// phishing sent in the name of BHXH or the tax office uses the
	// words of a complaint ("bảo hiểm xã hội", "hoàn thuế") but addresses
	// the reader. The text still reads as a complaint for guard:complaint.
	// Hotline summaries, written in the third person, are exempt.
	ComplaintNeedsFirstPerson bool `json:"complaint_needs_first_person"`
}

// version3Defaults are the values a document that predates rules version
// 3 gets for the settings added then.
var version3Defaults = Rules{UpstreamSpamWeight: 4.5, InjectionWeight: 2.5, BrandShapeWeight: 2, BayesWeight: 2, ComplaintNeedsFirstPerson: true}

// TermRule is a named vocabulary group. Terms are compared on folded text
// (lower case, diacritics removed) at word boundaries, so "bet" matches "BET"
// but not "alphabet", and "cá cược" matches "ca cuoc" and "CÁ CƯỢC". When both
// the text and the term carry diacritics they must agree, so "bán cá" (selling
// fish) does not match "bắn cá" (a fish-shooting game). Spaced-out and
// leetspeak spellings ("n h a c a i", "c.a c.u.o.c", "c4sino") are matched
// too, and a multi-word term also matches its words written together
// ("nhacai").
type TermRule struct {
	// Name identifies the group in explanations ("term:gambling").
	Name string `json:"name"`
	// Weight is added per distinct term matched, for at most MaxCount
	// terms. A negative weight marks vocabulary that is evidence of a real
	// complaint.
	Weight   float64 `json:"weight"`
	MaxCount int     `json:"max_count"`
	// Glued also matches the terms, with spaces removed, inside longer
	// words that contain a digit or are longer than any Vietnamese
	// syllable ("nhacaiuytin", "w88vn"). Use it only for terms that cannot
	// occur inside ordinary words.
	Glued bool `json:"glued,omitempty"`
	// Terms are the words or phrases, written naturally, with or without
	// diacritics.
	Terms []string `json:"terms"`
}

// Duration is a time.Duration written in JSON as a Go duration string such
// as "3s" or "1500ms", which administrators can read.
type Duration time.Duration

// MarshalJSON writes d as a duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a duration string such as "3s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"3s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// DefaultRules returns a fresh copy of the built-in rules, which callers may
// edit before building a Scorer.
func DefaultRules() *Rules {
	r, err := ParseRules(defaultRulesJSON)
	if err != nil {
		// The embedded file is covered by tests; failing here means the
		// binary was built from a broken tree.
		panic("spam: embedded default rules are invalid: " + err.Error())
	}
	return r
}

// DefaultRulesJSON returns the built-in rules document, the starting point
// for an administrator's own copy.
func DefaultRulesJSON() []byte {
	return bytes.Clone(defaultRulesJSON)
}

// ParseRules decodes and validates a rules document. Unknown fields are
// errors, so a misspelt weight is reported instead of silently being zero.
// All problems found are reported together.
func ParseRules(data []byte) (*Rules, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	r := Rules{
		UpstreamSpamWeight: version3Defaults.UpstreamSpamWeight,
		InjectionWeight:    version3Defaults.InjectionWeight,
		BrandShapeWeight:   version3Defaults.BrandShapeWeight,
		BayesWeight:        version3Defaults.BayesWeight,

		ComplaintNeedsFirstPerson: version3Defaults.ComplaintNeedsFirstPerson,
	}
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("spam rules: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("spam rules: unexpected data after the rules object")
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// Validate reports every problem in r, joined into one error, or nil.
func (r *Rules) Validate() error {
	_, err := compile(r)
	return err
}

// validator collects problems with their JSON path.
type validator struct{ errs []error }

func (v *validator) addf(path, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("spam rules: %s: %s", path, fmt.Sprintf(format, args...)))
}

func (v *validator) finite(path string, x float64) bool {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		v.addf(path, "must be a finite number")
		return false
	}
	return true
}

// weight checks a signal weight: signals add risk, so negative weights are
// rejected (only term groups may carry negative weights).
func (v *validator) weight(path string, x float64) {
	if v.finite(path, x) && x < 0 {
		v.addf(path, "must not be negative (got %v)", x)
	}
}

func (v *validator) atLeast(path string, n, min int) {
	if n < min {
		v.addf(path, "must be at least %d (got %d)", min, n)
	}
}

func (v *validator) check(r *Rules) {
	if r.Version < 1 {
		v.addf("version", "must be at least 1 (got %d)", r.Version)
	}
	if v.finite("suspect_at", r.SuspectAt) && r.SuspectAt <= 0 {
		v.addf("suspect_at", "must be positive (got %v)", r.SuspectAt)
	}
	if v.finite("spam_at", r.SpamAt) && r.SpamAt <= 0 {
		v.addf("spam_at", "must be positive (got %v)", r.SpamAt)
	}
	if r.SuspectAt > r.SpamAt {
		v.addf("suspect_at", "%v is above spam_at %v", r.SuspectAt, r.SpamAt)
	}
	for _, w := range []struct {
		path string
		x    float64
	}{
		{"link_weight", r.LinkWeight},
		{"link_density_weight", r.LinkDensityWeight},
		{"blocked_domain_weight", r.BlockedDomainWeight},
		{"shortener_weight", r.ShortenerWeight},
		{"suspicious_tld_weight", r.SuspiciousTLDWeight},
		{"short_link_only_weight", r.ShortLinkOnlyWeight},
		{"glued_token_weight", r.GluedTokenWeight},
		{"honeypot_weight", r.HoneypotWeight},
		{"fast_form_weight", r.FastFormWeight},
		{"repeated_body_weight", r.RepeatedBodyWeight},
		{"sender_history_weight", r.SenderHistoryWeight},
		{"sender_ham_weight", r.SenderHamWeight},
		{"shout_weight", r.ShoutWeight},
		{"chat_invite_weight", r.ChatInviteWeight},
		{"handle_weight", r.HandleWeight},
		{"leet_weight", r.LeetWeight},
		{"promo_symbol_weight", r.PromoSymbolWeight},
		{"lookalike_weight", r.LookalikeWeight},
		{"impersonal_contact_weight", r.ImpersonalContactWeight},
		{"upstream_spam_weight", r.UpstreamSpamWeight},
		{"injection_weight", r.InjectionWeight},
		{"brand_shape_weight", r.BrandShapeWeight},
		{"bayes_weight", r.BayesWeight},
	} {
		v.weight(w.path, w.x)
	}
	if v.finite("link_density_at", r.LinkDensityAt) && r.LinkDensityAt <= 0 {
		v.addf("link_density_at", "must be positive (got %v)", r.LinkDensityAt)
	}
	v.atLeast("free_links", r.FreeLinks, 0)
	v.atLeast("short_body_max_words", r.ShortBodyMaxWords, 0)
	v.atLeast("repeated_body_min_words", r.RepeatedBodyMinWords, 0)
	v.atLeast("link_max_count", r.LinkMaxCount, 1)
	v.atLeast("domain_max_count", r.DomainMaxCount, 1)
	v.atLeast("glued_max_count", r.GluedMaxCount, 1)
	v.atLeast("sender_max_count", r.SenderMaxCount, 1)
	v.atLeast("repeated_body_min", r.RepeatedBodyMin, 1)
	// Zero means "the default" for these, so that version-1 documents,
	// which do not have them, stay valid.
	v.atLeast("leet_min_words", r.LeetMinWords, 0)
	v.atLeast("leet_max_count", r.LeetMaxCount, 0)
	v.atLeast("promo_symbol_min", r.PromoSymbolMin, 0)
	for i, sym := range r.PromoSymbols {
		// Symbols live at U+2000 and above; letters, digits and
		// punctuation that ordinary writing uses are refused, so the
		// scan can skip every byte below the lead byte 0xE2.
		if sym < 0x2000 || sym == utf8.RuneError || unicode.IsLetter(sym) || unicode.IsDigit(sym) || unicode.IsSpace(sym) {
			v.addf("promo_symbols", "the character at byte %d (%q) is not a pictograph or symbol at U+2000 or above", i, sym)
		}
	}
	if r.MinFormAge < 0 {
		v.addf("min_form_age", "must not be negative (got %v)", time.Duration(r.MinFormAge))
	}
}

// normDomain validates a configured domain and returns its canonical form:
// lower case, no leading dot. Only host names are accepted; a scheme, path,
// port or stray character is a mistake worth reporting.
func (v *validator) normDomain(path, d string, minLabels int) (string, bool) {
	s := strings.ToLower(strings.TrimSpace(d))
	s = strings.TrimPrefix(s, ".")
	if s == "" {
		v.addf(path, "empty domain")
		return "", false
	}
	labels := strings.Split(s, ".")
	if len(labels) < minLabels {
		v.addf(path, "%q: need at least %d labels, like \"example.com\"", d, minLabels)
		return "", false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			v.addf(path, "%q is not a valid domain name", d)
			return "", false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				v.addf(path, "%q is not a valid domain name (character %q); write the host only, without scheme or path", d, c)
				return "", false
			}
		}
	}
	return s, true
}
