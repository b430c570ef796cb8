package parse

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
)

// maxDepth bounds MIME nesting we descend into; real mail stays under 10.
const maxDepth = 50

// piece is one body unit in document order: a text/plain part, a text/html
// part, or the merged result of a multipart/alternative.
type piece struct {
	plain    string
	html     string
	hasPlain bool
	hasHTML  bool
}

// walker visits enmime's part tree once, collecting body pieces,
// attachments (within limits) and the parts a bounce is made of.
type walker struct {
	msg        *Message
	lim        Limits
	total      int
	warns      []string
	dsn        []byte // first message/delivery-status body
	orig       []byte // headers of a returned or attached message
	reportType string // report-type of a multipart/report, if any
	quoteAt    int
	nAttach    int
	deepWarned bool
}

func (w *walker) warn(s string) { w.warns = append(w.warns, s) }

// walk returns the body pieces under p in document order and files every
// other leaf as an attachment or report part. inReport is set below a
// multipart/report, whose machine-readable parts feed Bounce instead.
func (w *walker) walk(p *enmime.Part, depth int, inReport bool) []piece {
	if p == nil {
		return nil
	}
	if depth > maxDepth {
		if !w.deepWarned {
			w.warn(fmt.Sprintf("MIME nesting deeper than %d levels; deeper parts ignored", maxDepth))
			w.deepWarned = true
		}
		return nil
	}
	ct := strings.ToLower(p.ContentType)
	if strings.HasPrefix(ct, "multipart/") {
		if p.FirstChild == nil {
			// No usable boundary: enmime kept the body as one blob.
			if len(bytes.TrimSpace(p.Content)) > 0 {
				w.warn("part " + p.PartID + ": " + ct + " without parts; body read as plain text")
				return []piece{w.plainPiece(p)}
			}
			return nil
		}
		report := ct == "multipart/report"
		if report && w.reportType == "" {
			_, params, _, _ := parseMediaType(p.Header.Get("Content-Type"))
			w.reportType = strings.ToLower(params["report-type"])
			if w.reportType == "" {
				w.reportType = "unknown"
			}
		}
		var kids [][]piece
		for c := p.FirstChild; c != nil; c = c.NextSibling {
			kids = append(kids, w.walk(c, depth+1, inReport || report))
		}
		if ct == "multipart/alternative" {
			if pc, ok := mergeAlternative(kids); ok {
				return []piece{pc}
			}
			return nil
		}
		var out []piece
		for _, k := range kids {
			out = append(out, k...)
		}
		return out
	}

	switch ct {
	case "message/delivery-status", "message/global-delivery-status":
		if w.dsn == nil {
			w.dsn = p.Content
		}
		return nil
	case "message/disposition-notification":
		return nil
	case "text/rfc822-headers", "message/rfc822-headers", "message/global-headers":
		if w.orig == nil {
			w.orig = p.Content
		}
		if inReport {
			return nil
		}
	case "message/rfc822", "message/global":
		if w.orig == nil {
			w.orig = p.Content
		}
		if inReport {
			return nil // the returned copy of our own mail
		}
	}

	name := w.filename(p)
	disp := strings.ToLower(p.Disposition)
	if name == "" && disp != "attachment" {
		switch ct {
		case "", "text/plain":
			return []piece{w.plainPiece(p)}
		case "text/html":
			return []piece{w.htmlPiece(p)}
		}
	}
	w.attach(p, ct, name)
	return nil
}

// mergeAlternative picks, among the alternatives, the first one that has
// plain text (for Text, no conversion needed) and the last one that has
// HTML (the richest, for display), per RFC 2046 ordering.
func mergeAlternative(kids [][]piece) (piece, bool) {
	var out piece
	for _, k := range kids {
		if !out.hasPlain && allPlain(k) {
			out.plain, out.hasPlain = joinPlain(k), true
		}
	}
	for i := len(kids) - 1; i >= 0; i-- {
		if h, ok := joinHTML(kids[i]); ok {
			out.html, out.hasHTML = h, true
			break
		}
	}
	if !out.hasPlain && !out.hasHTML {
		// Only exotic alternatives (e.g. text/calendar) — nothing to show.
		return out, false
	}
	return out, true
}

func allPlain(k []piece) bool {
	if len(k) == 0 {
		return false
	}
	for _, p := range k {
		if !p.hasPlain {
			return false
		}
	}
	return true
}

func joinPlain(k []piece) string {
	if len(k) == 1 {
		return k[0].plain
	}
	parts := make([]string, 0, len(k))
	for _, p := range k {
		parts = append(parts, p.plain)
	}
	return strings.Join(parts, "\n\n")
}

func joinHTML(k []piece) (string, bool) {
	var parts []string
	for _, p := range k {
		if p.hasHTML {
			parts = append(parts, p.html)
		}
	}
	return strings.Join(parts, "\n"), len(parts) > 0
}

// contentParams re-reads a part's Content-Type parameters. enmime only
// keeps the charset, which our hook has overwritten, so the declared
// charset, format and delsp come from the header itself.
func contentParams(p *enmime.Part) map[string]string {
	ct := p.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	_, params, _, err := parseMediaType(ct)
	if err != nil {
		return nil
	}
	return params
}

func (w *walker) plainPiece(p *enmime.Part) piece {
	params := contentParams(p)
	s, warn := decodeText(p.Content, params["charset"])
	if warn != "" {
		w.warn("part " + p.PartID + ": " + warn)
	}
	s = cleanBody(s)
	if strings.EqualFold(params["format"], "flowed") {
		s = unflow(s, strings.EqualFold(params["delsp"], "yes"))
	}
	s = w.extractUU(s)
	return piece{plain: s, hasPlain: true}
}

func (w *walker) htmlPiece(p *enmime.Part) piece {
	label := contentParams(p)["charset"]
	if _, kind := lookupCharset(label); kind == csNone || kind == csUnknown {
		if m := findMetaCharset(p.Content); m != "" {
			label = m
		}
	}
	s, warn := decodeText(p.Content, label)
	if warn != "" {
		w.warn("part " + p.PartID + ": " + warn)
	}
	return piece{html: s, hasHTML: true}
}

// assembleBody joins the pieces into Text and HTML. HTML is converted to
// text only for pieces without a plain alternative, so the common
// multipart/alternative mail never pays for the conversion.
func (w *walker) assembleBody(pieces []piece) {
	w.quoteAt = -1
	var tb strings.Builder
	var html []string
	for _, pc := range pieces {
		t := pc.plain
		qa := -1
		if !pc.hasPlain && pc.hasHTML {
			t, qa = htmlToText(pc.html)
			if qa >= 0 {
				before, after := finishText(t[:qa]), finishText(t[qa:])
				t, qa = before+after, len(before)
			} else {
				t = finishText(t)
			}
		}
		if pc.hasHTML {
			html = append(html, sanitizeHTML(pc.html))
		}
		lead := len(t) - len(strings.TrimLeft(t, " \t\n"))
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if tb.Len() > 0 {
			tb.WriteString("\n\n")
		}
		if qa >= 0 && w.quoteAt < 0 {
			w.quoteAt = tb.Len() + max(0, min(qa-lead, len(t)))
		}
		tb.WriteString(t)
	}
	text := tb.String()
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	w.msg.Text = text
	w.msg.HTML = strings.Join(html, "\n")
}

// cleanBody normalises line ends to "\n" and removes control characters
// other than tab and newline (NUL, escape sequences, C1 codes) that would
// corrupt storage or terminals.
func cleanBody(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\n' && c != '\t' || c == 0x7F || c == 0xC2 || c == 0xEF {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\r':
			b.WriteByte('\n')
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7F || r >= 0x80 && r < 0xA0 || r == '\uFEFF':
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// unflow undoes RFC 3676 format=flowed soft line breaks (Thunderbird, Apple
// Mail), so Vietnamese paragraphs read as paragraphs.
func unflow(s string, delsp bool) string {
	var b strings.Builder
	b.Grow(len(s))
	var para strings.Builder
	depth, open := 0, false
	emit := func() {
		if !open {
			return
		}
		if depth > 0 {
			b.WriteString(strings.Repeat(">", depth))
			b.WriteByte(' ')
		}
		b.WriteString(para.String())
		b.WriteByte('\n')
		para.Reset()
		open = false
	}
	for _, line := range strings.Split(s, "\n") {
		d := 0
		for d < len(line) && line[d] == '>' {
			d++
		}
		content := strings.TrimPrefix(line[d:], " ")
		if open && d != depth {
			emit()
		}
		flowed := strings.HasSuffix(content, " ") && content != "-- "
		if flowed && delsp {
			content = content[:len(content)-1]
		}
		para.WriteString(content)
		depth, open = d, true
		if !flowed {
			emit()
		}
	}
	emit()
	return strings.TrimSuffix(b.String(), "\n")
}

// extractUU moves uuencoded files out of the text into attachments. The
// block is removed from the text even when limits refuse the file: its
// lines are noise to a reader, and Dropped says what happened.
func (w *walker) extractUU(s string) string {
	blocks := findUUBlocks(s)
	if len(blocks) == 0 {
		return s
	}
	var b strings.Builder
	prev := 0
	// write appends a text segment, dropping the extra blank line a
	// removed block leaves between the paragraphs around it.
	write := func(seg string) {
		if strings.HasSuffix(b.String(), "\n\n") {
			seg = strings.TrimPrefix(seg, "\n")
		}
		b.WriteString(seg)
	}
	for _, blk := range blocks {
		write(s[prev:blk.start])
		prev = blk.stop
		name := cleanFilename(blk.name)
		w.nAttach++
		if name == "" {
			name = fmt.Sprintf("attachment-%d", w.nAttach)
		}
		if !w.admit(name, blk.size) {
			continue
		}
		data := blk.decode()
		if data == nil {
			w.warn("uuencoded block " + clip(name, 60) + " could not be decoded")
			continue
		}
		w.keep(Attachment{Filename: name, ContentType: typeByName(name, "application/octet-stream"), Size: len(data), Data: data})
	}
	write(s[prev:])
	return b.String()
}

// filename finds a part's file name from Content-Disposition filename or
// Content-Type name, decoding RFC 2231 (any charset, see fix2231) and
// RFC 2047 words, then strips any path.
func (w *walker) filename(p *enmime.Part) string {
	var raw string
	if cd := p.Header.Get("Content-Disposition"); cd != "" {
		if _, params, _, err := parseMediaType(cd); err == nil {
			raw = params["filename"]
		}
	}
	if raw == "" {
		params := contentParams(p)
		raw = params["name"]
		if raw == "" {
			raw = params["file"]
		}
	}
	if raw == "" {
		raw = p.FileName
	}
	if raw == "" {
		return ""
	}
	s, ws := decodeHeader(raw)
	for _, x := range ws {
		w.warn("file name: " + x)
	}
	return cleanFilename(s)
}

// cleanFilename keeps only the last path element (a name like
// "..\..\boot.ini" must not reach a file system) without control characters,
// and bounds its length while keeping the extension.
func cleanFilename(s string) string {
	s = cleanLine(s)
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimSpace(s)
	if s == "." || s == ".." {
		return ""
	}
	const maxName = 200
	if len(s) > maxName {
		ext := path.Ext(s)
		if len(ext) > 16 {
			ext = ""
		}
		cut := maxName - len(ext)
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + ext
	}
	return s
}

func (w *walker) attach(p *enmime.Part, ct, name string) {
	w.nAttach++
	if name == "" {
		ext := extByType[ct]
		if ct == "message/rfc822" || ct == "message/global" {
			// Name a forwarded message after its subject, as mail
			// clients do, so officers can tell several apart.
			if subj := innerSubject(p.Content); subj != "" {
				name = cleanFilename(subj) + ".eml"
			} else {
				name = fmt.Sprintf("forwarded-message-%d.eml", w.nAttach)
			}
		} else {
			name = fmt.Sprintf("attachment-%d%s", w.nAttach, ext)
		}
	}
	if ct == "" || ct == "application/octet-stream" {
		ct = typeByName(name, "application/octet-stream")
	}
	inline := strings.EqualFold(p.Disposition, "inline") ||
		p.Disposition == "" && p.ContentID != "" && p.Parent != nil && strings.EqualFold(p.Parent.ContentType, "multipart/related")
	if !w.admit(name, len(p.Content)) {
		return
	}
	w.keep(Attachment{Filename: name, ContentType: ct, Size: len(p.Content), Data: p.Content, Inline: inline})
}

// innerSubject reads the Subject of an attached message from its header
// section only.
func innerSubject(msg []byte) string {
	hdr := msg
	if i := bytes.Index(hdr, []byte("\n\n")); i >= 0 {
		hdr = hdr[:i]
	}
	if i := bytes.Index(hdr, []byte("\r\n\r\n")); i >= 0 {
		hdr = hdr[:i]
	}
	if len(hdr) > 64<<10 {
		hdr = hdr[:64<<10]
	}
	lines := strings.Split(strings.ReplaceAll(string(hdr), "\r\n", "\n"), "\n")
	for i, l := range lines {
		if len(l) < 8 || !strings.EqualFold(l[:8], "subject:") {
			continue
		}
		v := l[8:]
		for _, c := range lines[i+1:] {
			if c == "" || (c[0] != ' ' && c[0] != '\t') {
				break
			}
			v += c
		}
		s, _ := decodeHeader(v)
		s = cleanLine(s)
		if len(s) > 120 {
			cut := 120
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
			s = s[:cut]
		}
		return s
	}
	return ""
}

// admit applies Limits before any data is decoded or kept, recording the
// refusal in Dropped.
func (w *walker) admit(name string, size int) bool {
	var why string
	switch {
	case len(w.msg.Attachments) >= w.lim.MaxAttachments:
		why = fmt.Sprintf("more than %d attachments", w.lim.MaxAttachments)
	case size > w.lim.MaxAttachmentBytes:
		why = fmt.Sprintf("larger than the %d-byte limit per attachment", w.lim.MaxAttachmentBytes)
	case w.total+size > w.lim.MaxTotalBytes:
		why = fmt.Sprintf("would exceed the %d-byte limit for all attachments", w.lim.MaxTotalBytes)
	default:
		return true
	}
	if len(w.msg.Dropped) < 1000 {
		w.msg.Dropped = append(w.msg.Dropped, fmt.Sprintf("%s (%d bytes): %s", name, size, why))
	}
	return false
}

func (w *walker) keep(a Attachment) {
	w.total += a.Size
	w.msg.Attachments = append(w.msg.Attachments, a)
}

// typeByName guesses a media type from the extension with a fixed table,
// not mime.TypeByExtension, whose answers depend on the host's mime.types.
func typeByName(name, def string) string {
	if t, ok := typeByExt[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return def
}

var typeByExt = map[string]string{
	".pdf":  "application/pdf",
	".doc":  "application/msword",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xls":  "application/vnd.ms-excel",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".ppt":  "application/vnd.ms-powerpoint",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".odt":  "application/vnd.oasis.opendocument.text",
	".ods":  "application/vnd.oasis.opendocument.spreadsheet",
	".rtf":  "application/rtf",
	".txt":  "text/plain",
	".csv":  "text/csv",
	".xml":  "application/xml",
	".zip":  "application/zip",
	".rar":  "application/vnd.rar",
	".7z":   "application/x-7z-compressed",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".png":  "image/png",
	".gif":  "image/gif",
	".bmp":  "image/bmp",
	".tif":  "image/tiff",
	".tiff": "image/tiff",
	".heic": "image/heic",
	".webp": "image/webp",
	".mp4":  "video/mp4",
	".mp3":  "audio/mpeg",
	".m4a":  "audio/mp4",
	".eml":  "message/rfc822",
	".ics":  "text/calendar",
}

var extByType = map[string]string{
	"application/pdf": ".pdf",
	"image/jpeg":      ".jpg",
	"image/png":       ".png",
	"image/gif":       ".gif",
	"text/plain":      ".txt",
	"text/html":       ".html",
	"text/calendar":   ".ics",
	"text/csv":        ".csv",
	"application/zip": ".zip",
}
