package spam

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// compiled is a validated Rules turned into lookup structures. It is built
// once per rules version and never modified, so Score needs no locking.
type compiled struct {
	r       Rules // scalar settings; Terms and domain lists are compiled below
	groups  []termGroup
	phrases []phrase
	// words indexes phrases by folded word: by their first word, and, for
	// multi-word phrases, by their words written together, so "nhacai"
	// matches "nhà cái". One map keeps it to one lookup per word.
	words map[string]wordIndex
	// glued indexes the phrases of Glued groups by the first byte of their
	// concatenated form, for substring search inside long tokens.
	glued    [256][]int32
	domains  domainSet
	badTLDs  map[string]bool
	linkTLDs map[string]bool
	// promo holds Rules.PromoSymbols; every rune in it is at U+2000 or
	// above (validated), so the scan only decodes from lead byte 0xE2.
	promo map[rune]bool
	// lookalike holds Rules.LookalikeBrands, lower case.
	lookalike map[string]bool
	// firstPerson maps the folded Rules.FirstPersonWords to their
	// spelling with diacritics ("" when written without).
	firstPerson map[string]termTok
}

// wordIndex lists the phrases a word can start (first) or stand for
// (concat).
type wordIndex struct {
	first, concat []int32
}

type termGroup struct {
	name     string
	weight   float64
	maxCount int
}

// termTok is one word of a term.
type termTok struct {
	fold   string
	marks  string // markedForm of the word as written, for diacritic comparison
	marked bool
}

// phrase is one compiled term.
type phrase struct {
	group       int
	text        string // the term as written, for explanations
	toks        []termTok
	concat      string // folded words written together
	concatMarks string // markedForm of the words written together
	marked      bool
}

// compile validates r and builds its lookup structures, reporting every
// problem found.
func compile(r *Rules) (*compiled, error) {
	var v validator
	v.check(r)
	c := &compiled{
		r:        *r,
		words:    make(map[string]wordIndex),
		domains:  make(domainSet),
		badTLDs:  make(map[string]bool),
		linkTLDs: make(map[string]bool),
	}
	c.r.Terms = nil
	c.r.BlockedDomains, c.r.ShortenerDomains, c.r.TrustedDomainSuffixes, c.r.SuspiciousTLDs = nil, nil, nil, nil
	c.r.ChatInviteDomains, c.r.PromoSymbols, c.r.LookalikeBrands, c.r.FirstPersonWords = nil, "", nil, nil
	for i, w := range r.FirstPersonWords {
		path := fmt.Sprintf("first_person_words[%d]", i)
		p, ok := compileTerm(&v, path, w)
		if !ok {
			continue
		}
		if len(p.toks) != 1 {
			v.addf(path, "%q: write one word", w)
			continue
		}
		if c.firstPerson == nil {
			c.firstPerson = make(map[string]termTok)
		}
		c.firstPerson[p.toks[0].fold] = p.toks[0]
	}
	for i, b := range r.LookalikeBrands {
		path := fmt.Sprintf("lookalike_brands[%d]", i)
		n := strings.ToLower(strings.TrimSpace(b))
		ok := len(n) >= 3 && len(n) <= 63
		for j := 0; j < len(n) && ok; j++ {
			ok = 'a' <= n[j] && n[j] <= 'z' || '0' <= n[j] && n[j] <= '9'
		}
		if !ok {
			v.addf(path, "%q: write a name of 3 to 63 letters or digits, as it appears in a host name (\"bhxh\", \"vietcombank\")", b)
			continue
		}
		if c.lookalike == nil {
			c.lookalike = make(map[string]bool)
		}
		c.lookalike[n] = true
	}
	if c.r.LeetMinWords == 0 {
		c.r.LeetMinWords = 2
	}
	if c.r.LeetMaxCount == 0 {
		c.r.LeetMaxCount = 3
	}
	if c.r.PromoSymbolMin == 0 {
		c.r.PromoSymbolMin = 2
	}
	for _, sym := range r.PromoSymbols {
		// Emoji variation selectors and joiners ride along with the
		// pictographs an administrator pastes; they are not symbols.
		if sym >= 0x2000 && !unicode.Is(unicode.Mn, sym) && !unicode.Is(unicode.Cf, sym) {
			if c.promo == nil {
				c.promo = make(map[rune]bool)
			}
			c.promo[sym] = true
		}
	}

	seenGroup := make(map[string]int)
	seenTerm := make(map[string]string)
	for gi, g := range r.Terms {
		path := fmt.Sprintf("terms[%d]", gi)
		name := strings.TrimSpace(g.Name)
		if name == "" {
			v.addf(path+".name", "empty group name")
		} else if prev, dup := seenGroup[name]; dup {
			v.addf(path+".name", "%q is already used by terms[%d]", name, prev)
		} else {
			seenGroup[name] = gi
		}
		v.finite(path+".weight", g.Weight)
		v.atLeast(path+".max_count", g.MaxCount, 1)
		if len(g.Terms) == 0 {
			v.addf(path+".terms", "group has no terms")
		}
		c.groups = append(c.groups, termGroup{name: name, weight: g.Weight, maxCount: g.MaxCount})
		for ti, term := range g.Terms {
			tpath := fmt.Sprintf("%s.terms[%d]", path, ti)
			p, ok := compileTerm(&v, tpath, term)
			if !ok {
				continue
			}
			key := strings.Join(foldsOf(p.toks), " ")
			if prev, dup := seenTerm[key]; dup {
				v.addf(tpath, "%q is the same as %s after removing case and diacritics", term, prev)
				continue
			}
			seenTerm[key] = fmt.Sprintf("%s (%q)", tpath, term)
			if g.Glued && utf8.RuneCountInString(p.concat) < 3 {
				v.addf(tpath, "%q is too short to match inside other words (glued groups need 3 letters or more)", term)
				continue
			}
			p.group = gi
			id := int32(len(c.phrases))
			c.phrases = append(c.phrases, p)
			w := c.words[p.toks[0].fold]
			w.first = append(w.first, id)
			c.words[p.toks[0].fold] = w
			if len(p.toks) > 1 {
				w := c.words[p.concat]
				w.concat = append(w.concat, id)
				c.words[p.concat] = w
			}
			if g.Glued {
				c.glued[p.concat[0]] = append(c.glued[p.concat[0]], id)
			}
		}
	}

	for _, t := range commonTLDs {
		c.linkTLDs[t] = true
	}
	lists := []struct {
		path  string
		items []string
		kind  domainKind
	}{
		{"trusted_domain_suffixes", r.TrustedDomainSuffixes, domainTrusted},
		{"blocked_domains", r.BlockedDomains, domainBlocked},
		{"shortener_domains", r.ShortenerDomains, domainShortener},
		{"chat_invite_domains", r.ChatInviteDomains, domainChatInvite},
	}
	where := make(map[string]string)
	for _, l := range lists {
		for i, d := range l.items {
			path := fmt.Sprintf("%s[%d]", l.path, i)
			s, ok := v.normDomain(path, d, 2)
			if !ok {
				continue
			}
			if prev, dup := where[s]; dup {
				v.addf(path, "%q is already listed as %s", d, prev)
				continue
			}
			where[s] = path
			if l.kind != domainTrusted {
				if k, under := c.domains.lookup(s); k == domainTrusted {
					v.addf(path, "%q is inside trusted domain %q; links there never add risk", d, under)
					continue
				}
			}
			c.domains[s] = l.kind
			c.linkTLDs[s[strings.LastIndexByte(s, '.')+1:]] = true
		}
	}
	for i, t := range r.SuspiciousTLDs {
		path := fmt.Sprintf("suspicious_tlds[%d]", i)
		s, ok := v.normDomain(path, t, 1)
		if !ok {
			continue
		}
		if strings.Contains(s, ".") {
			v.addf(path, "%q: write a top-level domain only, like \".vip\"", t)
			continue
		}
		c.badTLDs[s] = true
		c.linkTLDs[s] = true
	}
	if len(v.errs) > 0 {
		return nil, errors.Join(v.errs...)
	}
	return c, nil
}

// compileTerm splits a term into folded words, exactly as submissions are.
func compileTerm(v *validator, path, term string) (phrase, bool) {
	text := toNFC(term)
	toks, _, _ := tokenize(text, len(text))
	if len(toks) == 0 {
		v.addf(path, "%q has no letters or digits", term)
		return phrase{}, false
	}
	p := phrase{text: strings.TrimSpace(term)}
	var concat, orig strings.Builder
	for _, t := range toks {
		o := text[t.oStart:t.oEnd]
		p.toks = append(p.toks, termTok{fold: t.fold, marks: markedForm(o), marked: t.marked})
		concat.WriteString(t.fold)
		orig.WriteString(o)
		p.marked = p.marked || t.marked
	}
	p.concat, p.concatMarks = concat.String(), markedForm(orig.String())
	return p, true
}

func foldsOf(ts []termTok) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.fold
	}
	return out
}

// minFormAge is the configured minimum as a time.Duration.
func (c *compiled) minFormAge() time.Duration { return time.Duration(c.r.MinFormAge) }
