package templates

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// The Content-Security-Policy allows styles and scripts from our own files
// only (style-src 'self'; script-src 'self'), so an inline style attribute,
// <style> element, inline script or event handler in a template is
// silently dropped by the browser: the page must not rely on one.
func TestTemplatesHaveNothingTheCSPBlocks(t *testing.T) {
	blocked := regexp.MustCompile(`(?i)\sstyle\s*=|<style[\s>]|<script(\s[^>]*)?>\s*[^<\s]|\son[a-z]+\s*=|javascript:`)
	err := fs.WalkDir(pages, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		b, err := fs.ReadFile(pages, path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := blocked.FindString(line); m != "" {
				t.Errorf("%s:%d: %q is blocked by the CSP", path, i+1, strings.TrimSpace(m))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
