package tagged // want `tagged_integration_test.go uses goleak but is left out of this build \(//go:build integration\): run again with the build tags that select it`
