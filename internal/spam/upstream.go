package spam

import "strings"

// UpstreamSpamFlag reports whether mail headers carry the spam verdict of
// a filter that handled the message before us: "X-Spam-Flag: YES"
// (SpamAssassin, rspamd, many hosting providers) or an "X-Spam-Status"
// starting with "Yes". get returns every value of a header, as
// textproto.MIMEHeader.Values does. A sender can forge these headers, but
// only to its own harm, so no trust in the hop that added them is needed.
func UpstreamSpamFlag(get func(key string) []string) bool {
	for _, v := range get("X-Spam-Flag") {
		if strings.EqualFold(strings.TrimSpace(v), "yes") {
			return true
		}
	}
	for _, v := range get("X-Spam-Status") {
		v = strings.TrimSpace(v)
		if len(v) >= 3 && strings.EqualFold(v[:3], "yes") && (len(v) == 3 || v[3] == ',' || v[3] == ' ' || v[3] == ';') {
			return true
		}
	}
	return false
}
