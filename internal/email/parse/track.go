package parse

import (
	"regexp"
	"strings"
)

// trackRe matches our subject tag "[PA-XXXXX-XXXXX]". The alphabet has no
// 0/O/1/I/L so codes survive being read aloud or retyped; matching is
// case-insensitive because citizens retype them.
var trackRe = regexp.MustCompile(`(?i)\[\s*(PA-[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5})\s*\]`)

// trackingCodes returns the tags found anywhere in the subject (so after
// any stack of "Re:", "Fwd:", "TL:", "Chuyển tiếp:" prefixes), upper-cased
// and de-duplicated in order of appearance.
func trackingCodes(subject string) []string {
	if !strings.Contains(subject, "[") {
		return nil
	}
	var out []string
	for _, m := range trackRe.FindAllStringSubmatch(subject, -1) {
		code := strings.ToUpper(m[1])
		dup := false
		for _, c := range out {
			if c == code {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, code)
		}
	}
	return out
}
