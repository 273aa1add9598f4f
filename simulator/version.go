package simulator

import "runtime/debug"

// modulePath is tabbysim's module, looked up in the build info.
const modulePath = "github.com/tabbysim/tabbysim"

// Version is tabbysim's version, sent in the X-Tabbysim-Version header and
// printed by `tabbysim version`. `make build` sets it with
// -ldflags "-X github.com/tabbysim/tabbysim/simulator.Version=…"; otherwise
// it comes from the build info.
var Version string

func init() {
	if Version == "" {
		info, _ := debug.ReadBuildInfo()
		Version = versionOf(info)
	}
}

// versionOf reads tabbysim's version from build info: the module version
// (`go install …@v1.2.0`, or the pseudo-version Go stamps on a build in a
// checkout), else the VCS revision, else "dev". When tabbysim is a
// dependency (simtest in a merchant's module) it is the dependency's
// version.
func versionOf(info *debug.BuildInfo) string {
	if info == nil {
		return "dev"
	}
	if info.Main.Path != modulePath {
		for _, d := range info.Deps {
			if d.Path == modulePath {
				if d.Replace != nil && d.Replace.Version != "" {
					return d.Replace.Version
				}
				if d.Version != "" && d.Version != "(devel)" {
					return d.Version
				}
			}
		}
		return "dev"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var revision string
	var modified bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if revision == "" {
		return "dev"
	}
	if len(revision) > 12 {
		revision = revision[:12]
	}
	if modified {
		revision += "-dirty"
	}
	return revision
}
