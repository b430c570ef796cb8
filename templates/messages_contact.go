package templates

import "strings"

// Where citizens call and write: the hotline and the intake address shown
// on the portal, and what the tracking page says when no mail is sent.
func init() {
	for k, v := range contactMessages {
		if _, dup := messages[k]; dup {
			panic("duplicate message key " + k)
		}
		messages[k] = v
	}
}

var contactMessages = map[string][2]string{
	"contact.hotline": {"Đường dây nóng", "Hotline"},
	"contact.email":   {"Thư điện tử", "Email"},
	"cz.nomail":       {"Cổng hiện không gửi thư điện tử nên không có đường dẫn xác minh qua email; hãy xác minh bằng 4 chữ số cuối của số điện thoại ở trên.", "This portal sends no email, so there is no emailed sign-in link; prove the feedback is yours with the last 4 digits of your phone number above."},
	"cz.nomail.call":  {"Nếu không còn dùng số điện thoại đó, hãy gọi đường dây nóng", "If you no longer have that phone, call the hotline"},
}

// Contact is how citizens reach the desk outside the web form; the layout
// shows it in the footer and the home and confirmation pages repeat it.
type Contact struct {
	Hotline string // the number as written, e.g. "1900 1234"; empty: none shown
	Tel     string // the number for a tel: link, digits only (and a leading +)
	Email   string // the first intake address, bare
}

// NewContact builds the Contact from the hotline setting and the intake
// address list ("addr[=AGENCY],...").
func NewContact(hotline, intakeAddresses string) Contact {
	c := Contact{Hotline: strings.TrimSpace(hotline)}
	var tel strings.Builder
	for i, r := range c.Hotline {
		if (r >= '0' && r <= '9') || (r == '+' && i == 0) {
			tel.WriteRune(r)
		}
	}
	c.Tel = tel.String()
	if c.Tel == "" || c.Tel == "+" {
		// Nothing dialable: show no number rather than a dead link.
		c.Hotline, c.Tel = "", ""
	}
	for _, item := range strings.Split(intakeAddresses, ",") {
		addr, _, _ := strings.Cut(item, "=")
		if addr = strings.TrimSpace(addr); addr != "" {
			c.Email = strings.ToLower(addr)
			break
		}
	}
	return c
}
