package simulator

import (
	"runtime/debug"
	"testing"
)

func TestVersionOf(t *testing.T) {
	vcs := func(revision, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: revision}, {Key: "vcs.modified", Value: modified}}
	}
	for _, c := range []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"no build info", nil, "dev"},
		{"go install at a version", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v1.2.0"}}, "v1.2.0"},
		{"a build in a checkout", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v0.0.0-20260101120000-0123456789ab+dirty"}},
			"v0.0.0-20260101120000-0123456789ab+dirty"},
		{"VCS information only", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"},
			Settings: vcs("0123456789abcdef0123456789abcdef01234567", "false")}, "0123456789ab"},
		{"VCS information, modified", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"},
			Settings: vcs("0123456789abcdef0123456789abcdef01234567", "true")}, "0123456789ab-dirty"},
		{"nothing known", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"}}, "dev"},
		{"a dependency of a merchant's module", &debug.BuildInfo{Main: debug.Module{Path: "example.com/shop", Version: "v3.0.0"},
			Deps:     []*debug.Module{{Path: modulePath, Version: "v1.4.0"}},
			Settings: vcs("fedcba9876543210fedcba9876543210fedcba98", "false")}, "v1.4.0"},
		{"a replaced dependency", &debug.BuildInfo{Main: debug.Module{Path: "example.com/shop"},
			Deps: []*debug.Module{{Path: modulePath, Version: "v1.4.0", Replace: &debug.Module{Path: "../tabbysim"}}}}, "v1.4.0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := versionOf(c.info); got != c.want {
				t.Errorf("versionOf = %q, want %q", got, c.want)
			}
		})
	}
}
