package imapfetch

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// session is one IMAP connection driven through imapclient, reduced to
// the commands a fetch needs. Every command runs under a watchdog that
// closes the connection when the server stalls longer than timeout:
// imapclient's own read timeouts are generous (minutes for literals) and
// a worker task must not hang on a silent server.
type session struct {
	c       *imapclient.Client
	timeout time.Duration
	maxLit  int64
}

// dial connects as the mailbox URL says — implicit TLS (imaps), STARTTLS
// (imap…?starttls=1) or plain TCP — and waits for the greeting.
func dial(mb Mailbox, timeout time.Duration, maxLit int64) (*session, error) {
	opts := &imapclient.Options{
		TLSConfig: &tls.Config{ServerName: hostOf(mb.Addr), InsecureSkipVerify: mb.InsecureSkipVerify},
		Dialer:    &net.Dialer{Timeout: timeout},
	}
	var (
		c   *imapclient.Client
		err error
	)
	switch {
	case mb.TLS:
		c, err = imapclient.DialTLS(mb.Addr, opts)
	case mb.StartTLS:
		// DialStartTLS waits for the greeting, upgrades, and refuses a
		// PREAUTH sent before encryption.
		c, err = imapclient.DialStartTLS(mb.Addr, opts)
	default:
		c, err = imapclient.DialInsecure(mb.Addr, opts)
	}
	if err != nil {
		return nil, err
	}
	s := &session{c: c, timeout: timeout, maxLit: maxLit}
	if err := s.do(c.WaitGreeting); err != nil {
		c.Close()
		return nil, fmt.Errorf("greeting: %w", err)
	}
	return s, nil
}

// do runs one command with the watchdog armed.
func (s *session) do(fn func() error) error {
	var fired atomic.Bool
	t := time.AfterFunc(s.timeout, func() {
		fired.Store(true)
		s.c.Close()
	})
	err := fn()
	t.Stop()
	if fired.Load() {
		return fmt.Errorf("no answer within %s", s.timeout)
	}
	return err
}

func (s *session) close() { s.c.Close() }

func (s *session) login(user, pass string) error {
	if s.c.State() == imap.ConnStateAuthenticated {
		return nil // PREAUTH greeting
	}
	return s.do(func() error { return s.c.Login(user, pass).Wait() })
}

func (s *session) selectFolder(folder string) (uint32, error) {
	var data *imap.SelectData
	err := s.do(func() (err error) {
		data, err = s.c.Select(folder, &imap.SelectOptions{}).Wait()
		return err
	})
	if err != nil {
		return 0, err
	}
	if data.UIDValidity == 0 {
		return 0, errors.New("server named no UIDVALIDITY")
	}
	return data.UIDValidity, nil
}

// searchAfter lists the UIDs above last ("last+1:*"); searchUnseen the
// UIDs without \Seen.
func (s *session) searchAfter(last uint32) ([]uint32, error) {
	return s.search(&imap.SearchCriteria{UID: []imap.UIDSet{{imap.UIDRange{Start: imap.UID(last) + 1, Stop: 0}}}})
}

func (s *session) searchUnseen() ([]uint32, error) {
	return s.search(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}})
}

func (s *session) search(crit *imap.SearchCriteria) ([]uint32, error) {
	var data *imap.SearchData
	err := s.do(func() (err error) {
		data, err = s.c.UIDSearch(crit, nil).Wait()
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []uint32
	for _, u := range data.AllUIDs() {
		out = append(out, uint32(u))
	}
	return out, nil
}

// size returns the message's RFC822.SIZE, or ok=false when the UID is
// gone (expunged meanwhile).
func (s *session) size(uid uint32) (size int64, ok bool, err error) {
	err = s.do(func() error {
		msgs, err := s.c.Fetch(imap.UIDSetNum(imap.UID(uid)), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
		for _, m := range msgs {
			if m.UID == imap.UID(uid) {
				size, ok = m.RFC822Size, true
			}
		}
		return err
	})
	return size, ok, err
}

// body returns the whole message without setting \Seen (BODY.PEEK[]),
// or ok=false when the UID is gone. The literal is streamed and refused
// above maxLit before a byte of it is buffered.
func (s *session) body(uid uint32) (raw []byte, ok bool, err error) {
	section := &imap.FetchItemBodySection{Peek: true}
	err = s.do(func() error {
		cmd := s.c.Fetch(imap.UIDSetNum(imap.UID(uid)), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}})
		var rerr error
		for msg := cmd.Next(); msg != nil && rerr == nil && !ok; msg = cmd.Next() {
			var got imap.UID
			var lit imap.LiteralReader
			for item := msg.Next(); item != nil; item = msg.Next() {
				switch it := item.(type) {
				case imapclient.FetchItemDataUID:
					got = it.UID
				case imapclient.FetchItemDataBodySection:
					if it.Literal == nil || !it.MatchCommand(section) {
						continue
					}
					if it.Literal.Size() > s.maxLit {
						rerr = fmt.Errorf("literal of %d bytes is over the limit", it.Literal.Size())
						continue
					}
					lit = it.Literal
					// The literal must be read before the next item.
					raw, rerr = io.ReadAll(io.LimitReader(lit, s.maxLit))
				}
				if rerr != nil {
					break
				}
			}
			// UID may come before or after the body; only a match counts.
			if rerr == nil && lit != nil && got == imap.UID(uid) {
				ok = true
			} else {
				raw = nil
			}
		}
		// Close drains anything left (an oversized literal included), so
		// the connection stays usable for the following commands.
		if cerr := cmd.Close(); rerr == nil {
			rerr = cerr
		}
		return rerr
	})
	return raw, ok, err
}

// markSeen sets \Seen without asking for the new flags back.
func (s *session) markSeen(uid uint32) error {
	return s.do(func() error {
		return s.c.Store(imap.UIDSetNum(imap.UID(uid)), &imap.StoreFlags{
			Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen},
		}, nil).Close()
	})
}

func (s *session) logout() { _ = s.do(func() error { return s.c.Logout().Wait() }) }
