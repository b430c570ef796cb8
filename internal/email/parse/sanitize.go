package parse

import (
	"net/url"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// htmlPolicy is bluemonday's UGC policy (no scripts, event handlers,
// style attributes, forms, iframes or javascript: URLs) tightened for mail:
//
//   - images may only come from the message itself (cid:) or be embedded
//     (data:image/...). A remote image is a read receipt for whoever sent
//     it; officers opening tickets must not leak their IP address and
//     reading time to senders or spammers. Remote sources are emptied
//     rather than the element removed, so alt text and layout survive;
//   - links open in a new tab without a referrer.
//
// The policy is built once; bluemonday policies are safe for concurrent
// use after construction.
var htmlPolicy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("cid")
	p.AllowDataURIImages()
	p.RewriteSrc(blockRemoteSrc)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.RequireNoReferrerOnLinks(true)
	return p
}()

// blockRemoteSrc is bluemonday's src rewriter (it runs after the URL passed
// the scheme checks); anything but cid: and data: becomes an empty URL,
// which browsers do not fetch.
func blockRemoteSrc(u *url.URL) {
	switch strings.ToLower(u.Scheme) {
	case "cid", "data":
		return
	}
	*u = url.URL{}
}

// sanitizeHTML returns HTML that is safe to embed in the desk UI.
func sanitizeHTML(s string) string {
	return strings.TrimSpace(htmlPolicy.Sanitize(s))
}
