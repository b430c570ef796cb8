// Package spam scores citizen submissions from every intake channel (web
// portal, hotline, email) for spam and abuse, and explains every point it
// gives.
//
// The scorer is pure: no I/O, no clock, no randomness. Everything it needs
// to know about the world (how often this body was seen, what the sender did
// before, how long the form was open) is passed in by the caller, so the same
// Input always yields the same Result and a quarantined ticket can be
// re-scored later to show a reviewer exactly why it was held.
//
// # Priorities
//
// A real citizen wrongly quarantined is worse than spam let through: people
// writing about a missing relief payment or pension often have no other way
// to reach us. So
//
//   - nothing is deleted: "spam" means quarantined for review, "suspect"
//     means tagged but delivered;
//   - every signal carries its weight and a human-readable detail;
//   - signals that describe the context rather than the message (sender
//     history, identical bodies from other senders) can raise a ticket to
//     "suspect" but never to "spam" on their own, because a shared mobile IP
//     or a complaint template passed around a Zalo group would otherwise
//     condemn real people;
//   - shouting in capitals, phone numbers, ID numbers and links to
//     government sites are never treated as evidence of spam on their
//     own (a phone number counts only as the "way to reach someone" of
//     the weak voice:impersonal-contact signal, in a text with no
//     first-person word at all);
//   - a text that reads as a complaint (complaint-context vocabulary)
//     and reaches the spam threshold through vocabulary alone is held at
//     suspect (guard:complaint): citizens reporting a betting-site
//     injection or a scam message quote the spam's own words;
//   - vocabulary a citizen might use legitimately ("xổ số", "hoàn trả",
//     "link vào") carries a low weight, and the default rules include a
//     small negative-weight group for complaint vocabulary.
//
// # Signals
//
// Each Signal names the rule that produced it:
//
//	term:<group>          vocabulary from a TermRule group (gambling, loans …);
//	                      negative for the complaint-context group
//	link:count            untrusted links beyond the free allowance
//	link:density          many untrusted links for little prose
//	link:blocked-domain   links to blocked domains
//	link:shortener        links through URL shorteners
//	link:suspicious-tld   links to throw-away top-level domains
//	link:short-body       a body that is little more than links
//	glued-token           brands glued to filler ("nhacai_uytin_top1")
//	honeypot              the hidden form field was filled in
//	fast-form             the form came back faster than a person can type
//	repeated-body         the same body from many senders (context)
//	sender:spam-history   the sender sent confirmed spam before (context)
//	sender:ham-history    the sender sent real tickets before (negative)
//	sender:blocked-domain the sender's e-mail is at a blocked domain
//	shouting              mostly capitals (token weight)
//	link:chat-invite      links inviting to a chat app (t.me, zalo.me …)
//	link:lookalike        an untrusted host named after an institution
//	                      ("bhxh-hotro.online", "vcb-xacthuc.com")
//	leetspeak             several words with digits for letters ("v1agra")
//	promo-symbols         advertising pictographs used as bullets (✅👉🔥)
//	contact:handle        messaging handles ("Telegram @abc")
//	voice:impersonal-contact  no first-person word, yet a link, handle,
//	                      e-mail address or phone number to reach someone
//	glued-injection       glued ASCII slugs inside prose written with
//	                      diacritics: keywords pasted into someone's text
//	brand-shape           brand-like names with a lucky number ("ko66",
//	                      "99ok"), repeated or glued
//	upstream:spam-flag    a mail server before ours flagged the message
//	                      (X-Spam-Flag: YES, X-Spam-Status: Yes)
//	bayes                 the learned naive Bayes model (bayes.go), at most
//	                      bayes_weight, trained on the corpus's training split
//	guard:context-only    weight 0: the verdict was held at suspect because
//	                      only context signals reached the spam threshold
//	guard:complaint       weight 0: held at suspect because a text that
//	                      reads as a complaint reached the spam threshold
//	                      only through vocabulary (with brand-shape,
//	                      glued-injection and bayes, which are quotable too)
//
// Links to trusted (government) domains add no weight and their text is not
// searched for vocabulary.
//
// # Rules are data
//
// Weights, thresholds, vocabulary and domain lists live in a JSON document
// (see default_rules.json) that administrators can edit. ParseRules validates
// such a document; NewScorer compiles it once (term indexes, domain sets) so
// that Score does no compilation, no regular expressions and no backtracking.
// A Scorer is immutable and safe for concurrent use; to change rules, parse
// the new document, build a new Scorer and swap it in.
package spam
