package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/plpbot/plpbot/handlers"
)

// TestEnrolByConfig: classes.enrol_by is staff unless set to admins, from
// the file or PLPBOT_CLASSES_ENROL_BY; anything else names the key.
func TestEnrolByConfig(t *testing.T) {
	for _, tt := range []struct {
		name, yaml string
		env        []string
		want       handlers.EnrolBy
		err        string
	}{
		{"default", "", nil, handlers.EnrolByStaff, ""},
		{"staff", "classes: {enrol_by: staff}", nil, handlers.EnrolByStaff, ""},
		{"admins", "classes:\n  enrol_by: admins\n", nil, handlers.EnrolByAdmins, ""},
		{"any case", "classes: {enrol_by: Admins}", nil, handlers.EnrolByAdmins, ""},
		{"from the environment", "classes: {enrol_by: staff}", []string{"PLPBOT_CLASSES_ENROL_BY=admins"}, handlers.EnrolByAdmins, ""},
		{"unknown value", "classes: {enrol_by: sis}", nil, "", `config: classes.enrol_by: want staff or admins, got "sis"`},
		{"unknown value from the environment", "", []string{"PLPBOT_CLASSES_ENROL_BY=office"}, "",
			`config: classes.enrol_by (from PLPBOT_CLASSES_ENROL_BY): want staff or admins, got "office"`},
		{"misspelt key", "classes: {enroll_by: admins}", nil, "", "config: classes.enroll_by: unknown key; did you mean classes.enrol_by? (line 1)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := LoadConfig([]byte(tt.yaml), tt.env)
			if tt.err != "" {
				var ce *ConfigError
				if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("got %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.EnrolBy(); got != tt.want {
				t.Errorf("EnrolBy() = %q, want %q", got, tt.want)
			}
		})
	}
}
