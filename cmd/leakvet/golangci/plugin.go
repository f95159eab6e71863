// Package golangci is leakvet as a golangci-lint v2 module plugin. Its
// import registers the plugin "leakvet", which runs leakvet's analyzers
// (all but fromgoleak) inside golangci-lint.
//
// Build a golangci-lint that includes it with a .custom-gcl.yml:
//
//	version: v2.15.0
//	plugins:
//	  - module: github.com/leakcheck/leakcheck/cmd/leakvet
//	    import: github.com/leakcheck/leakcheck/cmd/leakvet/golangci
//	    version: latest
//
// then run golangci-lint custom, and enable the linter in .golangci.yml:
//
//	version: "2"
//	linters:
//	  enable:
//	    - leakvet
//	  settings:
//	    custom:
//	      leakvet:
//	        type: module
//	        description: goroutine leaks and blocking bugs
//	        settings:
//	          disable: [missingverify]
//
// The settings are optional: disable lists analyzers to leave out.
package golangci

import (
	"fmt"
	"slices"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/leakcheck/leakcheck/cmd/leakvet/internal/suite"
)

func init() {
	register.Plugin("leakvet", newPlugin)
}

// Settings are the plugin's settings in .golangci.yml.
type Settings struct {
	// Disable names the analyzers not to run (doublelock, missingverify, ...).
	Disable []string `json:"disable"`
}

type plugin struct {
	settings Settings
}

func newPlugin(raw any) (register.LinterPlugin, error) {
	s, err := register.DecodeSettings[Settings](raw)
	if err != nil {
		return nil, fmt.Errorf("leakvet: %w", err)
	}
	names := map[string]bool{}
	for _, a := range suite.Analyzers() {
		names[a.Name] = true
	}
	for _, name := range s.Disable {
		if !names[name] {
			return nil, fmt.Errorf("leakvet: settings.disable names %q, which is not one of its analyzers", name)
		}
	}
	return &plugin{settings: s}, nil
}

// BuildAnalyzers returns the analyzers the settings leave.
func (p *plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	var as []*analysis.Analyzer
	for _, a := range suite.Analyzers() {
		if !slices.Contains(p.settings.Disable, a.Name) {
			as = append(as, a)
		}
	}
	return as, nil
}

// GetLoadMode asks for type information: the analyzers need it.
func (p *plugin) GetLoadMode() string { return register.LoadModeTypesInfo }
