// Package mask removes personal data from citizen feedback before a
// question and its answer are published in the public Q&A section.
//
// Mask is deliberately conservative in one direction: when a run of digits
// could be a phone, ID card or bank account number it is masked, while the
// things a reader needs to follow an answer are left alone: tracking codes
// (PA-7KQ2M-XH4RT), dates, money amounts, legal document numbers and the
// 1800/1900 hotlines agencies publish. What is masked and how:
//
//   - Phone numbers, in any Vietnamese notation (spaced, dotted, hyphenated,
//     with +84, 84 or 0084, pre-2018 eleven-digit mobiles, landlines) and
//     any "+country" number: every digit except the last three becomes
//     "x", separators stay ("0912 345 678" → "xxxx xxx 678"). Three digits
//     let the citizen recognise their own question, and are far too few to
//     call anyone.
//   - CMND (9 digits) and CCCD (12 digits, starting 0) numbers, also when
//     spaced: every digit becomes "x". An ID number is the key to a person
//     in every state register; even a partial one narrows the search.
//   - Any other unbroken run of 9 or more digits (bank accounts, personal
//     tax codes, policy numbers), and any spaced run of 9 or more right
//     after a keyword such as "STK", "CCCD" or "SĐT": every digit becomes
//     "x". Amounts are told apart by a unit after them ("150000000 đồng")
//     or by thousands grouping ("150.000.000").
//   - E-mail addresses: the first letter of the local part is kept and the
//     rest replaced by "***" ("an.nguyen@gmail.com" → "a***@gmail.com"), so
//     the provider stays visible but the mailbox cannot be guessed.
//   - House numbers and the small units that pin a home down: the number
//     after "số nhà", "nhà số", "SN", "ngõ", "ngách", "hẻm", "kiệt", "tổ",
//     "tổ dân phố", "xóm", "căn hộ" or "lô"; after "số" when a street
//     follows ("số 12 ngõ 34", "số 5 Lê Lợi", but not "công văn số 12");
//     and a bare number introduced by "địa chỉ", "ở", "tại", "nhà", "trú"
//     or "sống" and followed by a street ("ở 123 Nguyễn Trãi"). The number
//     becomes "***". Street names and ward, commune, district and province
//     names are kept; a street or a ward has thousands of residents and the
//     answer is often about that area.
//   - Names: every name in Options.Names, matched ignoring case and
//     diacritics (vnfold), wherever it appears in full; its last word (the
//     given name) alone after a form of address ("anh", "chị", "ông", "bà",
//     "em", "cô", "chú", ...); and any capitalised name after a form of
//     address or a label such as "Họ và tên:". Names become initials,
//     "ông Nguyễn Văn Bình" → "ông N.V.B.", the convention of Vietnamese
//     newspapers' reader columns, which keeps answers readable ("Trả lời bà
//     T.T.H.:") without naming anyone.
//   - What the ticket itself knows (Options.Phones, Emails, IDs; see
//     known.go): the citizen's phone in every spelling internal/phone
//     reads as the same number, also glued to a word or grouped with "/"
//     or ","; their addresses; the identifiers the case gave after a
//     label (IDsIn), in any case and grouping. These need no guessing.
//   - Identifiers by shape (personal.go): digits glued to a label
//     ("sđt0987654329", "STK0011…"), health-insurance cards (two letters
//     and 13 digits), passports (one or two capitals and 7-8 digits),
//     mobiles grouped with "/" or ","; a number after an ID-only label
//     ("BHXH", "CCCD", "STK") is masked whole even if shaped like a phone.
//   - Dates of birth: a date after "sinh" ("sinh ngày 12/03/1985",
//     "Ngày sinh: 1985-03-12") becomes "xx/xx/xxxx"; a year alone stays.
//   - Relatives and contacts: names after kinship and contact words,
//     with linking words between ("Chồng tôi là …", "Người liên hệ: …"),
//     and any full name that starts with a common family name and a
//     common middle name ("Đoàn Thị Hà"), unless a street or place word
//     or a house number comes before it.
//   - Employers: the name after "Công ty" with a legal form (TNHH, Cổ
//     phần…), "nhà máy", "xí nghiệp", "hợp tác xã", and industrial zones
//     ("KCN Tân Tạo") becomes "***"; "Công ty Điện lực" and other
//     companies named without a legal form are kept.
//
// Characters whose compatibility form is ASCII (full-width digits and
// letters, circled digits) are folded with NFKC first.
//
// The output is NFC-normalised valid UTF-8 (invalid bytes become U+FFFD),
// and Mask(Mask(x)) == Mask(x): masked text contains nothing that Mask
// would mask again.
//
// Known limits, all in the direction of leaving text alone:
//
//   - A name written without a form of address and not listed in
//     Options.Names cannot be told from a place or street name. Names after
//     an official title ("ông Chủ tịch UBND xã Nguyễn Văn A") are in this
//     group: the title must stay readable, so list staff in Options.Names.
//   - Digits typed one by one with spaces ("0 9 1 2 ...") are not joined
//     into a number; neither are spaced runs of 9+ digits that fit no
//     phone or ID shape, unless a keyword such as "STK" or "CCCD" comes
//     right before them.
//
// Agency landlines, on the other hand, are masked like any other landline,
// since the masker cannot tell an office from a home; agencies should
// publish their 1800/1900 hotlines, which are kept.
package mask

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Options carries what the caller knows about the people in a text.
type Options struct {
	// Names are the full names of the citizen and of staff involved in the
	// case, as recorded in the ticket ("Nguyễn Văn An"). Each is masked
	// wherever it appears in full, with or without diacritics and in any
	// case; its last word is also masked after a form of address ("anh
	// An"). A single-word name is masked only after a form of address,
	// since a lone word such as "An" is also part of place names (Long An,
	// Nghệ An).
	Names []string
	// Phones are the citizen's phone numbers as recorded (any notation
	// internal/phone accepts). Each is masked in every spelling that
	// reads as the same number, also glued to a word.
	Phones []string
	// Emails are the citizen's addresses, masked wherever they appear.
	Emails []string
	// IDs are identifiers the case gave (ID card, passport, insurance
	// card and bank account numbers; see IDsIn), masked wherever they
	// appear, in any case and grouping.
	IDs []string
}

// Mask returns text with phone numbers, ID numbers, e-mail addresses,
// house numbers and names masked as described in the package
// documentation. Mask never fails; text with nothing to mask comes back
// unchanged apart from NFC normalisation.
func Mask(text string, opt Options) string {
	out := norm.NFC.String(foldCompat(strings.ToValidUTF8(text, "\uFFFD")))
	// Every rule looks at context (the word before a name, what follows a
	// house number), and masking changes context: after "Trần Hai Bà Lan"
	// becomes "T.H. Bà Lan", "Bà" no longer reads as part of the place
	// name "Hai Bà Trưng". Repeating until nothing changes makes the
	// result a fixed point, which is what publication needs: masking
	// published text again must not reveal that it missed something.
	// Passes only ever add masking, and in practice the second pass finds
	// nothing; maxPasses is a safeguard, not an expected exit.
	for range maxPasses {
		next := norm.NFC.String(maskOnce(out, opt))
		if next == out {
			break
		}
		out = next
	}
	return out
}

// maxPasses bounds the fixed-point loop in Mask as a safeguard.
const maxPasses = 8

// maskOnce applies every rule once to NFC text.
func maskOnce(text string, opt Options) string {
	m := &masker{text: text, taken: make([]bool, len(text))}
	// Order matters: each step claims its spans, and later steps never
	// touch claimed bytes. E-mail addresses go first because their local
	// parts may contain anything, then the public items that must survive
	// (tracking codes here, dates and document numbers in maskNumbers).
	m.maskKnownEmails(opt.Emails)
	m.maskEmails()
	m.protectCodes()
	m.maskKnownIDs(opt.IDs)
	m.maskKnownPhones(opt.Phones)
	m.maskBirthDates()
	m.maskCards()
	m.maskNumbers()
	m.maskAddresses()
	m.maskEmployers()
	m.maskNames(opt.Names)
	m.maskFullNames()
	return m.apply()
}

// span is one claimed region of the text: replaced by repl, or kept as is
// when keep is set (protected items).
type span struct {
	start, end int
	repl       string
	keep       bool
}

// masker holds the text being masked and which bytes are already claimed.
type masker struct {
	text  string
	taken []bool // per byte; claimed spans never overlap
	spans []span
}

// free reports whether no byte of [s, e) is claimed.
func (m *masker) free(s, e int) bool {
	return !slices.Contains(m.taken[s:e], true)
}

// claim records [s, e) as replaced by repl (or kept, if keep) unless any
// of it is already claimed. It reports whether the claim was made.
func (m *masker) claim(s, e int, repl string, keep bool) bool {
	if s >= e || !m.free(s, e) {
		return false
	}
	for i := s; i < e; i++ {
		m.taken[i] = true
	}
	m.spans = append(m.spans, span{s, e, repl, keep})
	return true
}

// apply builds the output from the text and the claimed spans.
func (m *masker) apply() string {
	slices.SortFunc(m.spans, func(a, b span) int { return a.start - b.start })
	var b strings.Builder
	b.Grow(len(m.text))
	pos := 0
	for _, s := range m.spans {
		if s.keep {
			continue
		}
		b.WriteString(m.text[pos:s.start])
		b.WriteString(s.repl)
		pos = s.end
	}
	b.WriteString(m.text[pos:])
	return b.String()
}

// runeBefore returns the rune ending at byte i, or 0 at the start.
func (m *masker) runeBefore(i int) rune {
	if i <= 0 {
		return 0
	}
	r, _ := utf8.DecodeLastRuneInString(m.text[:i])
	return r
}

// runeAfter returns the rune starting at byte i, or 0 at the end.
func (m *masker) runeAfter(i int) rune {
	if i >= len(m.text) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(m.text[i:])
	return r
}

// isWordRune reports whether r continues a word or number, so that a
// match next to it is part of something larger (a code, a glued token).
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_'
}

// isSpace reports whether r is horizontal white space as used between
// words and between digit groups.
func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\u00a0'
}

// foldCompat applies NFKC to every character whose compatibility form is
// plain ASCII: full-width digits and letters ("０９１２"), circled and
// superscript digits, full-width punctuation. Numbers typed on a phone's
// full-width keyboard are still numbers, and the rules below only read
// ASCII digits. Other characters are left alone (NFKC would also turn the
// no-break space between digit groups into a space, and "…" into "...").
func foldCompat(s string) string {
	if isASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r >= utf8.RuneSelf && r != '\u00a0' && !unicode.IsMark(r) {
			if f := norm.NFKC.String(string(r)); f != string(r) && f != "" && isASCII(f) && !strings.ContainsRune(f, ' ') {
				b.WriteString(f)
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
