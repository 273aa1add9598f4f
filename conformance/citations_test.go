package conformance

import (
	"io/fs"
	"os"
	"regexp"
	"testing"

	"github.com/tabbysim/tabbysim/client/merchant"
	"github.com/tabbysim/tabbysim/features"
	shipped "github.com/tabbysim/tabbysim/scenarios"
)

// unreadable are sources a merchant cannot open: the notes and
// specification the project was built from, which are not in the
// repository.
var unreadable = regexp.MustCompile(`(?i)seed 00\d|tabby-api\.md|onerway-api\.md`)

// TestMerchantText_CitesWhatMerchantsCanRead: what merchants read (the
// README, RULES.md, the features, the shipped scenarios' descriptions, and
// the reference merchant's defects and variants) cites public pages and
// the repository's own files only.
func TestMerchantText_CitesWhatMerchantsCanRead(t *testing.T) {
	texts := map[string]string{}
	for _, name := range []string{"../README.md", "../RULES.md"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		texts[name] = string(b)
	}
	err := fs.WalkDir(features.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(features.FS, path)
		texts["features/"+path] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	all, err := shipped.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range all {
		texts["scenario "+sc.Name] = sc.Description
	}
	for _, d := range merchant.Defects {
		texts["defect "+d.Name] = d.Description
	}
	for _, v := range merchant.Variants {
		texts["variant "+v.Name] = v.Description
	}
	if len(texts) < 20 {
		t.Fatalf("read %d texts; the features or scenarios were not found", len(texts))
	}
	for name, text := range texts {
		if m := unreadable.FindString(text); m != "" {
			t.Errorf("%s cites %q, which merchants cannot open; cite the public page or RULES.md", name, m)
		}
	}
}
