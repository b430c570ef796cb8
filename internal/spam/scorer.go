package spam

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Channels a submission can arrive on.
const (
	ChannelWeb     = "web"
	ChannelHotline = "hotline"
	ChannelEmail   = "email"
)

// Input is one submission plus the context only the caller can know.
type Input struct {
	// Channel is ChannelWeb, ChannelHotline or ChannelEmail; anything else
	// is scored like the web. Hotline bodies are summaries typed by our
	// operators, which changes how some signals apply.
	Channel string
	// Name, Email, Phone and Province are the sender's details as given;
	// Title and Body are the message. Phone and Province are accepted for
	// completeness but never scored: numbers are not evidence of spam.
	Name, Email, Phone, Province, Title, Body string
	// Honeypot is the value of the hidden form field; people never see it,
	// so a value means a bot (or, rarely, browser autofill). White space
	// alone is ignored.
	Honeypot string
	// FormAge is the time from form render to submit, from VerifyFormTime;
	// 0 means unknown (API, e-mail, hotline, or an unverifiable token).
	FormAge time.Duration
	// SameBodyCount is how many earlier submissions from other senders in
	// the recent window had the same NormalizeBody.
	SameBodyCount int
	// SenderSpamCount is how many earlier submissions from this phone,
	// e-mail or IP were confirmed spam.
	SenderSpamCount int
	// SenderHamCount is how many earlier tickets from the sender were
	// confirmed real.
	SenderHamCount int
	// UpstreamSpam is set when a mail server before ours marked the
	// message as spam (X-Spam-Flag: YES, X-Spam-Status: Yes …); see
	// UpstreamSpamFlag.
	UpstreamSpam bool
}

// Signal is one reason for a score: the rule that fired, the points it added
// (negative for evidence of a real complaint) and what it saw.
type Signal struct {
	Rule   string
	Weight float64
	Detail string
}

// Verdict is what the intake path does with a submission.
type Verdict string

// Verdicts, from harmless to quarantined.
const (
	// Clean submissions are delivered normally.
	Clean Verdict = "clean"
	// Suspect submissions are delivered with a tag so staff can review.
	Suspect Verdict = "suspect"
	// Spam submissions are quarantined: kept, reviewable, not delivered.
	Spam Verdict = "spam"
)

// Result is a score with its explanation.
type Result struct {
	// Score is the sum of the signal weights.
	Score   float64
	Verdict Verdict
	// Signals are sorted by weight, highest first; ties by rule name.
	Signals []Signal
	// RulesVersion is the Version of the rules that produced the result.
	RulesVersion int
}

// Scorer scores submissions against one compiled version of the rules. It
// is immutable and safe for concurrent use.
type Scorer struct {
	c *compiled
}

// NewScorer validates r and compiles it. Later changes to r do not affect
// the returned Scorer.
func NewScorer(r *Rules) (*Scorer, error) {
	c, err := compile(r)
	if err != nil {
		return nil, err
	}
	return &Scorer{c: c}, nil
}

var defaultScorer = sync.OnceValue(func() *Scorer {
	s, err := NewScorer(DefaultRules())
	if err != nil {
		panic("spam: default rules do not compile: " + err.Error())
	}
	return s
})

// DefaultScorer returns a shared Scorer for the built-in rules.
func DefaultScorer() *Scorer { return defaultScorer() }

// hit is one term found in the text.
type hit struct {
	id           int32
	oStart, oEnd int
	inLink       bool // found in a link host rather than in prose
}

// Score rates a submission. It is deterministic: the same Input and rules
// always give the same Result.
func (s *Scorer) Score(in Input) Result {
	c := s.c
	name, title, body := toNFC(clip(in.Name)), toNFC(clip(in.Title)), toNFC(clip(in.Body))
	text := name + "\n" + title + "\n" + body
	titleStart := len(name) + 1
	bodyStart := titleStart + len(title) + 1

	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	// One pass over the space-separated chunks finds links and glued tokens.
	links := sc.links[:0]
	glued := gluedCounter{limit: c.r.GluedMaxCount}
	var handles []string
	chunks(text, func(cs, ce int) {
		n := len(links)
		links = c.chunkLinks(text, cs, ce, links)
		if c.r.GluedTokenWeight > 0 {
			glued.chunk(text, cs, ce, links[n:])
		}
		if c.r.HandleWeight > 0 {
			handles = chunkHandles(text, cs, ce, handles)
		}
	})
	sc.links = links
	z := &sc.tok
	z.toks = z.toks[:0]
	z.run(text, titleStart)
	toks, st := z.toks, z.st
	words, bodyWords := markLinkTokens(toks, links, bodyStart)

	var out scoring
	// Vocabulary.
	scan := toks
	if len(links) > 0 {
		scan = slices.DeleteFunc(toks, func(t token) bool { return t.skip })
	}
	hits := c.matchTokens(text, scan, sc.hits[:0])
	if stream, blobs := deriveTokens(text, scan); stream != nil {
		hits = c.matchTokens(text, stream, hits)
		hits = c.matchTokens(text, blobs, hits)
	}
	sc.hits = hits
	// Complaint vocabulary is evidence of a complaint only from someone
	// writing about themself or their group ("chúng tôi"): phishing in the name of BHXH or the tax
	// office uses the same words, addressed to "quý khách".
	impersonal := c.r.ComplaintNeedsFirstPerson && c.firstPerson != nil && in.Channel != ChannelHotline && !c.hasFirstPerson(text, toks, true)
	c.termSignals(text, hits, impersonal, &out)
	if c.r.BayesWeight > 0 {
		if m := defaultBayes(); len(m.Features) > 0 {
			if lo := m.logOdds(scan); lo > 0 {
				if w := math.Round(4*c.r.BayesWeight*min(lo/bayesFullAt, 1)) / 4; w > 0 {
					out.addQuotable("bayes", w, fmt.Sprintf("learned model: log-odds %.1f that the wording is spam (trained on %d spam and %d real submissions)",
						lo, m.TrainSpam, m.TrainReal))
				}
			}
		}
	}

	// Text shape: words with digits for letters, advertising pictographs,
	// chat handles. Each is weak alone; together with vocabulary they
	// separate obfuscated advertising from complaints.
	if c.r.LeetWeight > 0 {
		if n, ex := leetWords(text, scan); n >= c.r.LeetMinWords {
			out.add("leetspeak", c.r.LeetWeight*float64(min(n, c.r.LeetMaxCount)),
				fmt.Sprintf("%d word(s) with digits for letters: %s", n, strings.Join(ex, ", ")))
		}
	}
	if c.promo != nil && c.r.PromoSymbolWeight > 0 {
		if n := c.countPromo(text); n >= c.r.PromoSymbolMin {
			out.add("promo-symbols", c.r.PromoSymbolWeight, fmt.Sprintf("%d advertising pictograph(s) such as ✅ 👉 🔥", n))
		}
	}
	if len(handles) > 0 {
		out.add("contact:handle", c.r.HandleWeight, fmt.Sprintf("messaging handle(s): %s", strings.Join(handles, ", ")))
	}
	if c.r.ImpersonalContactWeight > 0 && c.firstPerson != nil && in.Channel != ChannelHotline {
		if how := contactMeans(body, links, len(handles) > 0); how != "" && !c.hasFirstPerson(text, toks, false) {
			out.add("voice:impersonal-contact", c.r.ImpersonalContactWeight,
				"no first-person word (tôi, em, I …) but a way to reach someone: "+how)
		}
	}

	// Links.
	c.linkSignals(text, in.Email, links, words, bodyWords, bodyStart, &out)

	// Glued tokens.
	if glued.n > 0 {
		out.add("glued-token", c.r.GluedTokenWeight*float64(min(glued.n, c.r.GluedMaxCount)),
			fmt.Sprintf("%d token(s) glued with odd separators: %s", glued.n, strings.Join(glued.examples, ", ")))
	}
	if glued.slug > 0 && c.r.InjectionWeight > 0 {
		if marked, n := markedWords(toks); marked >= injectionMinMarked && marked*4 >= n {
			out.addQuotable("glued-injection", c.r.InjectionWeight, fmt.Sprintf(
				"%d glued token(s) written without diacritics inside prose written with them (%d of %d words)", glued.slug, marked, n))
		}
	}
	if c.r.BrandShapeWeight > 0 {
		if names := brandShapes(text); len(names) > 0 {
			out.addQuotable("brand-shape", c.r.BrandShapeWeight,
				"brand-like name with a lucky number, repeated or glued: "+strings.Join(names, ", "))
		}
	}
	if in.UpstreamSpam && c.r.UpstreamSpamWeight > 0 {
		out.add("upstream:spam-flag", c.r.UpstreamSpamWeight, "a mail server before ours marked the message as spam")
	}

	// Bot traps.
	if hp := strings.TrimSpace(in.Honeypot); hp != "" && c.r.HoneypotWeight > 0 {
		out.add("honeypot", c.r.HoneypotWeight, "hidden field filled with "+quote(hp))
	}
	if in.FormAge > 0 && in.FormAge < c.minFormAge() && c.r.FastFormWeight > 0 {
		out.add("fast-form", c.r.FastFormWeight, fmt.Sprintf("submitted %v after the form was shown (minimum %v)",
			in.FormAge.Round(time.Millisecond), c.minFormAge()))
	}

	// Context: what the caller knows about the sender and the body.
	if in.Channel != ChannelHotline && in.SameBodyCount >= c.r.RepeatedBodyMin &&
		bodyWords >= c.r.RepeatedBodyMinWords && c.r.RepeatedBodyWeight > 0 {
		out.addContext("repeated-body", c.r.RepeatedBodyWeight,
			fmt.Sprintf("same body sent by %d other sender(s) recently", in.SameBodyCount))
	}
	if in.SenderSpamCount > 0 && c.r.SenderHistoryWeight > 0 {
		n := min(in.SenderSpamCount, c.r.SenderMaxCount)
		out.addContext("sender:spam-history", c.r.SenderHistoryWeight*float64(n),
			fmt.Sprintf("%d earlier submission(s) from this sender confirmed as spam", in.SenderSpamCount))
	}
	if in.SenderHamCount > 0 && c.r.SenderHamWeight > 0 {
		n := min(in.SenderHamCount, c.r.SenderMaxCount)
		out.add("sender:ham-history", -c.r.SenderHamWeight*float64(n),
			fmt.Sprintf("%d earlier ticket(s) from this sender confirmed as real", in.SenderHamCount))
	}

	// Shouting: recorded so reviewers see it, weighted to matter little.
	if letters := st.upper + st.lower; letters >= 20 && st.upper*10 >= letters*7 && c.r.ShoutWeight > 0 {
		out.add("shouting", c.r.ShoutWeight, fmt.Sprintf("%d of %d letters are capitals", st.upper, letters))
	}

	return out.result(c)
}

// scratch holds per-call buffers, pooled so that a busy intake path does
// not churn the garbage collector. Nothing in a Result points into it.
type scratch struct {
	tok   tokenizer
	links []link
	hits  []hit
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// release drops references into the last submission, so pooled buffers do
// not keep its text alive, and returns sc to the pool. Oversized buffers
// from a huge submission are let go instead.
func (sc *scratch) release() {
	if cap(sc.tok.toks) > 8192 || cap(sc.tok.buf) > 256<<10 {
		return
	}
	clear(sc.tok.toks[:cap(sc.tok.toks)])
	clear(sc.links[:cap(sc.links)])
	scratchPool.Put(sc)
}

// scoring accumulates signals.
type scoring struct {
	signals []Signal
	total   float64
	context float64 // positive weight from context signals only
	vocab   float64 // positive weight from vocabulary (term groups) and quotable words only
	// complaint is set when a negative-weight term group (the vocabulary
	// of real complaints) matched in prose.
	complaint bool
}

func (s *scoring) add(rule string, w float64, detail string) {
	s.signals = append(s.signals, Signal{Rule: rule, Weight: w, Detail: detail})
	s.total += w
}

// addQuotable adds a signal about words a citizen reporting spam would
// quote (brand names, injected keywords): like vocabulary, it does not
// get a text that reads as a complaint quarantined (guard:complaint).
func (s *scoring) addQuotable(rule string, w float64, detail string) {
	s.add(rule, w, detail)
	s.vocab += w
}

func (s *scoring) addContext(rule string, w float64, detail string) {
	s.add(rule, w, detail)
	s.context += w
}

// result applies the thresholds. Context signals describe the sender and
// other people's messages, not this message, so they may lift a submission
// to Suspect but never to Spam unless the message itself (or a bot trap) is
// at least suspect without them.
func (s *scoring) result(c *compiled) Result {
	score := round(s.total)
	v := Clean
	switch {
	case score >= c.r.SpamAt:
		v = Spam
		if round(s.total-s.context) < c.r.SuspectAt {
			v = Suspect
			s.signals = append(s.signals, Signal{Rule: "guard:context-only", Detail: fmt.Sprintf(
				"held at suspect: the score reaches spam_at (%g) only through sender history or repetition", c.r.SpamAt)})
		} else if c.r.ComplaintGuard && s.complaint && round(s.total-s.context-s.vocab) < c.r.SuspectAt {
			v = Suspect
			s.signals = append(s.signals, Signal{Rule: "guard:complaint", Detail: fmt.Sprintf(
				"held at suspect: the text reads as a complaint and reaches spam_at (%g) through vocabulary, which a citizen reporting or quoting spam also uses", c.r.SpamAt)})
		}
	case score >= c.r.SuspectAt:
		v = Suspect
	}
	slices.SortStableFunc(s.signals, func(a, b Signal) int {
		if a.Weight != b.Weight {
			return cmp.Compare(b.Weight, a.Weight)
		}
		if a.Rule != b.Rule {
			return strings.Compare(a.Rule, b.Rule)
		}
		return strings.Compare(a.Detail, b.Detail)
	})
	return Result{Score: score, Verdict: v, Signals: s.signals, RulesVersion: c.r.Version}
}

// round removes floating-point noise so that, say, 0.1+0.2 reaches a
// threshold of 0.3.
func round(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// markLinkTokens flags tokens that fall inside links. Text inside trusted
// links and in the path of other links is not scanned for vocabulary (a
// news slug may well say "ca-cuoc"), but the host of an untrusted link,
// less its top-level domain, is: "nhacai-uytin.vip" says what it is, while
// ".bet" is already judged as a TLD. It returns the number of words outside
// links, in all fields and in the body.
func markLinkTokens(toks []token, links []link, bodyStart int) (words, bodyWords int) {
	li := 0
	for i := range toks {
		t := &toks[i]
		for li < len(links) && links[li].end <= t.oStart {
			li++
		}
		if li < len(links) && links[li].start < t.oEnd {
			l := &links[li]
			t.inLink = true
			t.skip = l.kind == domainTrusted || t.oStart < l.hostStart || t.oEnd > l.nameEnd
			continue
		}
		words++
		if t.oStart >= bodyStart {
			bodyWords++
		}
	}
	return words, bodyWords
}

// matchTokens finds the terms in a token stream and appends new hits.
func (c *compiled) matchTokens(text string, toks []token, hits []hit) []hit {
	for i := range toks {
		t := &toks[i]
		w := c.words[t.fold]
		for _, id := range w.first {
			p := &c.phrases[id]
			n := len(p.toks)
			if i+n > len(toks) {
				continue
			}
			ok := true
			for k := 0; k < n && ok; k++ {
				ok = tokMatches(text, &toks[i+k], &p.toks[k])
			}
			if ok {
				hits = addHit(hits, id, t, toks[i+n-1].oEnd)
			}
		}
		hits = c.matchSingle(text, t, t.fold, w.concat, hits)
		for _, alt := range t.alts {
			if alt == "" {
				continue
			}
			w := c.words[alt]
			for _, id := range w.first {
				if len(c.phrases[id].toks) == 1 {
					hits = addHit(hits, id, t, t.oEnd)
				}
			}
			hits = c.matchSingle(text, t, alt, w.concat, hits)
		}
	}
	return hits
}

// matchSingle matches one token, read as f, against the multi-word terms
// written together that f stands for (concat) and, for long or
// alphanumeric tokens, against glued terms inside it.
func (c *compiled) matchSingle(text string, t *token, f string, concat []int32, hits []hit) []hit {
	for _, id := range concat {
		p := &c.phrases[id]
		if !t.marked || !p.marked || sameMarks(text[t.oStart:t.oEnd], p.concatMarks) {
			hits = addHit(hits, id, t, t.oEnd)
		}
	}
	// Vietnamese syllables are at most seven letters and never contain
	// digits, so only tokens that cannot be a syllable are searched inside.
	if t.letters == 0 || (t.digits == 0 && t.letters <= 7) {
		return hits
	}
	for pos := 0; pos < len(f); pos++ {
		for _, id := range c.glued[f[pos]] {
			con := c.phrases[id].concat
			if len(con) < len(f) && strings.HasPrefix(f[pos:], con) {
				hits = addHit(hits, id, t, t.oEnd)
			}
		}
	}
	return hits
}

// tokMatches compares a text word with a term word: equal when folded, and,
// if both carry diacritics, equal with them too.
func tokMatches(text string, t *token, w *termTok) bool {
	if t.fold != w.fold {
		return false
	}
	return !t.marked || !w.marked || sameMarks(text[t.oStart:t.oEnd], w.marks)
}

// addHit records a term found from token t up to byte end, once per term.
// A term seen both in prose and in a link host counts as seen in prose.
func addHit(hits []hit, id int32, t *token, end int) []hit {
	for i := range hits {
		if hits[i].id == id {
			if hits[i].inLink && !t.inLink {
				hits[i] = hit{id: id, oStart: t.oStart, oEnd: end}
			}
			return hits
		}
	}
	return append(hits, hit{id: id, oStart: t.oStart, oEnd: end, inLink: t.inLink})
}

// termSignals turns hits into one signal per vocabulary group.
func (c *compiled) termSignals(text string, hits []hit, impersonal bool, sc *scoring) {
	if len(hits) == 0 {
		return
	}
	// Vocabulary of real complaints counts only in prose: a host name such
	// as "baohiemxahoi-vn.net" is no evidence that a person wrote the text.
	hits = slices.DeleteFunc(hits, func(h hit) bool { return h.inLink && c.groups[c.phrases[h.id].group].weight < 0 })
	if len(hits) == 0 {
		return
	}
	slices.SortFunc(hits, func(a, b hit) int { return cmp.Compare(a.id, b.id) })
	for i := 0; i < len(hits); {
		g := c.phrases[hits[i].id].group
		j := i
		for j < len(hits) && c.phrases[hits[j].id].group == g {
			j++
		}
		grp := c.groups[g]
		if grp.weight != 0 {
			var b strings.Builder
			for k := i; k < j; k++ {
				if k > i {
					b.WriteString(", ")
				}
				if k-i == 5 {
					fmt.Fprintf(&b, "+%d more", j-k)
					break
				}
				fmt.Fprintf(&b, "%s ← %s", c.phrases[hits[k].id].text, quote(text[hits[k].oStart:hits[k].oEnd]))
			}
			n := min(j-i, grp.maxCount)
			w := grp.weight * float64(n)
			if w < 0 && impersonal {
				w = 0
				b.WriteString(" (not counted: no first-person word)")
			}
			sc.add("term:"+grp.name, w, b.String())
			if w > 0 {
				sc.vocab += w
			} else {
				sc.complaint = true
			}
		}
		i = j
	}
}

// linkSignals scores the links: how many, how dense, where they point.
func (c *compiled) linkSignals(text, email string, links []link, words, bodyWords, bodyStart int, sc *scoring) {
	r := &c.r
	if at := strings.LastIndexByte(email, '@'); at >= 0 && r.BlockedDomainWeight > 0 {
		d := strings.TrimRight(strings.ToLower(strings.TrimSpace(email[at+1:])), ".>")
		if k, _ := c.domains.lookup(d); k == domainBlocked {
			sc.add("sender:blocked-domain", r.BlockedDomainWeight, "e-mail address at "+quote(d))
		}
	}
	if len(links) == 0 {
		return
	}
	untrusted, bodyLinks := 0, 0
	var blocked, short, badTLD, invite, lookalike []string
	for _, l := range links {
		if l.kind == domainTrusted {
			continue
		}
		untrusted++
		if l.start >= bodyStart {
			bodyLinks++
		}
		switch l.kind {
		case domainBlocked:
			blocked = addDistinct(blocked, l.host)
		case domainShortener:
			short = addDistinct(short, l.host)
		case domainChatInvite:
			invite = addDistinct(invite, l.host)
		}
		if l.badTLD {
			badTLD = addDistinct(badTLD, l.host)
		}
		if l.lookalike {
			lookalike = addDistinct(lookalike, l.host)
		}
	}
	if untrusted == 0 {
		return
	}
	if extra := untrusted - r.FreeLinks; extra > 0 && r.LinkWeight > 0 {
		sc.add("link:count", r.LinkWeight*float64(min(extra, r.LinkMaxCount)),
			fmt.Sprintf("%d link(s) outside trusted domains, %d allowed", untrusted, r.FreeLinks))
	}
	if untrusted >= 2 && r.LinkDensityWeight > 0 {
		density := math.Inf(1)
		if words > 0 {
			density = float64(untrusted) * 100 / float64(words)
		}
		if density >= r.LinkDensityAt {
			sc.add("link:density", r.LinkDensityWeight,
				fmt.Sprintf("%d links in %d words (limit %g per 100 words)", untrusted, words, r.LinkDensityAt))
		}
	}
	domainSignal := func(rule string, w float64, hosts []string, what string) {
		if len(hosts) > 0 && w > 0 {
			sc.add(rule, w*float64(min(len(hosts), r.DomainMaxCount)), what+": "+strings.Join(hosts, ", "))
		}
	}
	domainSignal("link:blocked-domain", r.BlockedDomainWeight, blocked, "blocked domain")
	domainSignal("link:shortener", r.ShortenerWeight, short, "URL shortener hides the destination")
	domainSignal("link:suspicious-tld", r.SuspiciousTLDWeight, badTLD, "throw-away top-level domain")
	domainSignal("link:chat-invite", r.ChatInviteWeight, invite, "invitation to a chat app")
	domainSignal("link:lookalike", r.LookalikeWeight, lookalike, "host named after an institution it does not belong to")
	if bodyLinks > 0 && bodyWords <= r.ShortBodyMaxWords && r.ShortLinkOnlyWeight > 0 {
		sc.add("link:short-body", r.ShortLinkOnlyWeight,
			fmt.Sprintf("body is %d link(s) and %d other word(s)", bodyLinks, bodyWords))
	}
}

func addDistinct(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// quote shows a piece of the submission in an explanation: on one line,
// at most 40 bytes, quoted.
func quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 40 {
		n := 40
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "…"
	}
	return fmt.Sprintf("%q", s)
}
