package publish

// JSONEnv and ProfileDirEnv are the package leakcheck's variables of the
// same names, which document the files.
const (
	JSONEnv       = "LEAKCHECK_JSON"
	ProfileDirEnv = "LEAKCHECK_PROFILE_DIR"
)
