package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot/discord"
	"github.com/plpbot/plpbot/bot/grammar"
	"github.com/plpbot/plpbot/bot/slack"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/scheduler"
)

// DefaultConfigFile is read when -config is not given, if it exists.
const DefaultConfigFile = "plpbot.yaml"

// envPrefix starts every environment override: PLPBOT_<SECTION>_<KEY>.
const envPrefix = "PLPBOT_"

// Config is plpbot's whole configuration: loaded from YAML, overridden by
// PLPBOT_* environment variables, validated once at start-up. Every field is
// a string or a list of strings as written; Validate checks them and the
// accessors (such as ScheduleSettings) return typed values.
type Config struct {
	MongoDB     MongoDBConfig     `yaml:"mongodb"`
	DataDir     string            `yaml:"data_dir"`
	Log         LogConfig         `yaml:"log"`
	Admins      AdminsConfig      `yaml:"admins"`
	Slack       SlackConfig       `yaml:"slack"`
	HTTP        HTTPConfig        `yaml:"http"`
	Discord     DiscordConfig     `yaml:"discord"`
	Schedule    ScheduleConfig    `yaml:"schedule"`
	Summaries   SummariesConfig   `yaml:"summaries"`
	Conferences ConferencesConfig `yaml:"conferences"`
	Classes     ClassesConfig     `yaml:"classes"`
	Privacy     PrivacyConfig     `yaml:"privacy"`

	// fromEnv maps a key (such as "slack.bot_token") to the environment
	// variable that set it, so errors point at the right place.
	fromEnv map[string]string
}

// MongoDBConfig is where the plan is stored.
type MongoDBConfig struct {
	// URI of a MongoDB 6+ server; empty starts the embedded database under DataDir.
	URI      string `yaml:"uri"`
	Database string `yaml:"database"`
	// CommandTimeout is how long one command may wait on the database
	// before the person hears that nothing was saved (Go duration; "" = 4s).
	CommandTimeout string `yaml:"command_timeout"`
	// Heartbeat is how often the driver checks the servers ("" = 2s).
	Heartbeat string `yaml:"heartbeat"`
	// ServerSelectionTimeout is how long an operation waits for a usable
	// server ("" = 3s).
	ServerSelectionTimeout string `yaml:"server_selection_timeout"`
	// FerretDBDir is the SQLite folder of a FerretDB at URI on this machine,
	// so plpbot can add the _id indexes its lookups use.
	FerretDBDir string `yaml:"ferretdb_dir"`
}

// mongoDuration reads one of the mongodb durations; "" is 0 (the default).
func mongoDuration(v string) time.Duration {
	d, _ := time.ParseDuration(v)
	return d
}

// LogConfig controls the logs written to stderr.
type LogConfig struct {
	// Level is debug, info, warn or error. Empty means info, or warn in the
	// console, whose transcript shares the terminal.
	Level  string `yaml:"level"`
	Format string `yaml:"format"` // text or json
	// StudentText lets students' text (reflections, notes, goal titles,
	// messages) appear in the logs: the embedded database's debug logs print
	// every document. Off, no log at any level carries it.
	StudentText bool `yaml:"student_text"`
}

// AdminsConfig lists platform user ids that are always admins.
type AdminsConfig struct {
	Slack   []string `yaml:"slack"`
	Discord []string `yaml:"discord"`
}

// SlackConfig connects the Slack adapter; it runs when BotToken is set.
type SlackConfig struct {
	BotToken      string `yaml:"bot_token"`
	AppToken      string `yaml:"app_token"`
	SigningSecret string `yaml:"signing_secret"`
	Mode          string `yaml:"mode"` // socket or http
	APIURL        string `yaml:"api_url"`
	// MessagesPerMinute is the workspace-wide pace of messages (Slack's
	// chat.postMessage limit, which it doesn't publish: "several hundred").
	MessagesPerMinute string `yaml:"messages_per_minute"`
}

// HTTPConfig is plpbot's HTTP listener: /healthz, /readyz and /metrics in
// every mode (empty: none), and Slack's endpoints in Slack's HTTP mode.
type HTTPConfig struct {
	Addr string `yaml:"addr"`
	// PublicURL is how people reach http.addr from their browsers, such as
	// https://plp.school.example (behind a reverse proxy that terminates
	// TLS): /plp dashboard links to PublicURL + "/dash/". Empty: the console
	// links to http://127.0.0.1:PORT; Slack and Discord offer no link.
	PublicURL string `yaml:"public_url"`
}

// DiscordConfig connects the Discord adapter; it runs when Token is set.
type DiscordConfig struct {
	Token   string `yaml:"token"`
	AppID   string `yaml:"app_id"`
	GuildID string `yaml:"guild_id"`
	APIURL  string `yaml:"api_url"`
	// Shards is how many gateway shards the bot runs (default 1); replicas
	// share them, one replica holding each. Config.DiscordShards returns it.
	Shards string `yaml:"shards"`
}

// ScheduleConfig holds the scheduler's defaults; Config.ScheduleSettings
// returns them typed.
type ScheduleConfig struct {
	TimeZone            string   `yaml:"timezone"`
	Reflections         string   `yaml:"reflections"`
	Summaries           string   `yaml:"summaries"`
	ConferenceReminders []string `yaml:"conference_reminders"`
	FollowupAfter       string   `yaml:"followup_after"`
	QuietHours          string   `yaml:"quiet_hours"`
	SchoolDays          []string `yaml:"school_days"`
	Holidays            []string `yaml:"holidays"`
	NudgeAfter          string   `yaml:"nudge_after"`
	// Workers is how many scheduled messages this process sends at once.
	Workers string `yaml:"workers"`
	// SendRate caps this process's scheduled messages a second, over all
	// platforms; 0: as fast as each platform's limits allow.
	SendRate string `yaml:"send_rate"`
	// SendLease is how long a message being sent stays claimed by one
	// process unless renewed: after a crash, its messages wait this long.
	SendLease string `yaml:"send_lease"`
}

// ConferencesConfig shapes what conferences show.
type ConferencesConfig struct {
	// NotesVisibleToStudents is "true" when students may read the notes of
	// their own past conferences; staff always can.
	NotesVisibleToStudents string `yaml:"notes_visible_to_students"`
}

// NotesVisibleToStudents returns conferences.notes_visible_to_students
// (Validate checked it).
func (cfg *Config) NotesVisibleToStudents() bool {
	v, _ := strconv.ParseBool(strings.TrimSpace(cfg.Conferences.NotesVisibleToStudents))
	return v
}

// SummariesConfig shapes the class channel summaries.
type SummariesConfig struct {
	// MinClassSize is the smallest class whose summary shows a progress
	// figure or a participation count (plpbot.SummaryShowsFigures).
	MinClassSize string `yaml:"min_class_size"`
}

// MinClassSize returns summaries.min_class_size (Validate checked it).
func (cfg *Config) MinClassSize() int {
	n, _ := strconv.Atoi(strings.TrimSpace(cfg.Summaries.MinClassSize))
	return n
}

// ClassesConfig is how class lists are kept; Config.EnrolBy returns it typed.
type ClassesConfig struct {
	// EnrolBy is who may add people to classes and remove them: staff
	// (teachers and counselors, their own classes; the default) or admins
	// (for schools whose rosters come from their SIS).
	EnrolBy string `yaml:"enrol_by"`
}

// PrivacyConfig is what the school decides about keeping records;
// Config.Retention returns it typed.
type PrivacyConfig struct {
	// RetentionDays is how many days someone in no class may go without any
	// activity before the nightly retention job purges them as forget does:
	// a whole number of days, at least MinRetentionDays, or 0 for never.
	RetentionDays string `yaml:"retention_days"`
}

// MinRetentionDays is the shortest retention period a school may set: a
// shorter one would purge students who joined but were not yet put in a
// class, or staff between terms.
const MinRetentionDays = 30

// maxRetentionDays bounds privacy.retention_days (a century).
const maxRetentionDays = 36500

// DefaultConfig is the configuration with no file and no environment: the
// console on the embedded database under ./data.
func DefaultConfig() Config {
	return Config{
		MongoDB:     MongoDBConfig{Database: "plpbot"},
		DataDir:     "data",
		Log:         LogConfig{Format: "text"},
		Slack:       SlackConfig{Mode: "socket", MessagesPerMinute: strconv.Itoa(slack.DefaultMessagesPerMinute)},
		HTTP:        HTTPConfig{Addr: ":8080"},
		Discord:     DiscordConfig{Shards: "1"},
		Summaries:   SummariesConfig{MinClassSize: "5"},
		Conferences: ConferencesConfig{NotesVisibleToStudents: "false"},
		Schedule: ScheduleConfig{
			TimeZone:            "America/New_York",
			Reflections:         "0 14 * * FRI",
			Summaries:           "0 15 * * FRI",
			ConferenceReminders: []string{"24h", "1h"},
			FollowupAfter:       "24h",
			QuietHours:          "20:00-07:00",
			SchoolDays:          []string{"mon", "tue", "wed", "thu", "fri"},
			NudgeAfter:          "0",
			Workers:             strconv.Itoa(scheduler.DefaultWorkers),
			SendRate:            "0",
			SendLease:           scheduler.DefaultSendLease.String(),
		},
		Classes: ClassesConfig{EnrolBy: string(handlers.EnrolByStaff)},

		Privacy: PrivacyConfig{RetentionDays: "0"},
	}
}

// ConfigError is a bad configuration value, named by its key. Error
// returns the one line printed before exit status 2.
type ConfigError struct {
	Key string // such as "schedule.quiet_hours", or an environment variable
	Msg string
}

// Error implements error.
func (e *ConfigError) Error() string { return "config: " + e.Key + ": " + e.Msg }

// LoadConfig reads the YAML in data (which may be empty) over the defaults,
// applies the PLPBOT_* variables in env (as os.Environ returns them) and
// validates the result.
func LoadConfig(data []byte, env []string) (Config, error) {
	cfg := DefaultConfig()
	if err := cfg.decode(data); err != nil {
		return Config{}, err
	}
	if err := cfg.applyEnv(env); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// ReadConfig loads path; an empty path reads DefaultConfigFile if it
// exists, else uses the defaults.
func ReadConfig(path string, env []string) (Config, error) {
	var data []byte
	name := path
	if name == "" {
		name = DefaultConfigFile
	}
	data, err := os.ReadFile(name)
	switch {
	case err == nil:
	case path == "" && errors.Is(err, os.ErrNotExist):
		data = nil
	default:
		return Config{}, &ConfigError{Key: "-config", Msg: fmt.Sprintf("can't read %s: %v", name, errors.Unwrap(err))}
	}
	return LoadConfig(data, env)
}

// decode reads YAML over cfg. A misspelt or misplaced key, or a value of
// the wrong shape, is reported with its dotted key and line, checked
// against the struct before decoding; KnownFields stays on as a backstop.
func (cfg *Config) decode(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return &ConfigError{Key: "yaml", Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil
	}
	if err := checkShape(root, reflect.TypeFor[Config](), ""); err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return &ConfigError{Key: "yaml", Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	return nil
}

// checkShape walks node against t: sections must be mappings with known
// keys, lists sequences of scalars, values scalars.
func checkShape(node *yaml.Node, t reflect.Type, path string) error {
	if node.Kind == yaml.AliasNode {
		node = node.Alias
	}
	if node.Kind == yaml.ScalarNode && node.Tag == "!!null" {
		return nil // an empty section or value keeps the default
	}
	at := func(format string, args ...any) error {
		key := path
		if key == "" {
			key = "yaml"
		}
		return &ConfigError{Key: key, Msg: fmt.Sprintf(format, args...) + fmt.Sprintf(" (line %d)", node.Line)}
	}
	switch t.Kind() {
	case reflect.Struct:
		if node.Kind != yaml.MappingNode {
			return at("want a section of keys, got %s", describe(node))
		}
		keys := yamlKeys(t)
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, v := node.Content[i], node.Content[i+1]
			field, ok := keys[k.Value]
			key := join(path, k.Value)
			if !ok {
				msg := "unknown key"
				names := slices.Sorted(mapKeys(keys))
				if s := grammar.Nearest(k.Value, names); s != "" {
					msg += "; did you mean " + join(path, s) + "?"
				} else {
					msg += "; known keys here: " + strings.Join(names, ", ")
				}
				return &ConfigError{Key: key, Msg: fmt.Sprintf("%s (line %d)", msg, k.Line)}
			}
			if err := checkShape(v, field.Type, key); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if node.Kind != yaml.SequenceNode {
			return at("want a list such as [a, b], got %s", describe(node))
		}
		for i, item := range node.Content {
			if err := checkShape(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.String:
		if node.Kind != yaml.ScalarNode {
			return at("want a single value, got %s", describe(node))
		}
	case reflect.Bool:
		if _, err := parseBool(node.Value); node.Kind != yaml.ScalarNode || err != nil {
			return at("want true or false, got %s", describe(node))
		}
	}
	return nil
}

// parseBool reads a yes/no setting: true or false, in any case.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("want true or false, got %q", s)
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a section of keys"
	case yaml.SequenceNode:
		return "a list"
	}
	return strconv.Quote(n.Value)
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// yamlKeys maps the YAML keys of struct t to its fields.
func yamlKeys(t reflect.Type) map[string]reflect.StructField {
	keys := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		keys[name] = f
	}
	return keys
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// envVar is the environment variable that overrides key, such as
// PLPBOT_SLACK_BOT_TOKEN for slack.bot_token.
func envVar(key string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// applyEnv sets every key whose PLPBOT_* variable is in env. Lists are
// comma-separated. A PLPBOT_* variable that names no key is an error, so a
// typo in a deployment is caught rather than silently ignored.
func (cfg *Config) applyEnv(env []string) error {
	vars := map[string]string{}
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, envPrefix) {
			vars[k] = v
		}
	}
	if len(vars) == 0 {
		return nil
	}
	known := map[string]bool{}
	var bad error
	var apply func(v reflect.Value, path string)
	apply = func(v reflect.Value, path string) {
		for name, f := range yamlKeys(v.Type()) {
			key := join(path, name)
			fv := v.FieldByIndex(f.Index)
			if f.Type.Kind() == reflect.Struct {
				apply(fv, key)
				continue
			}
			ev := envVar(key)
			known[ev] = true
			val, ok := vars[ev]
			if !ok {
				continue
			}
			if cfg.fromEnv == nil {
				cfg.fromEnv = map[string]string{}
			}
			cfg.fromEnv[key] = ev
			switch f.Type.Kind() {
			case reflect.String:
				fv.SetString(strings.TrimSpace(val))
			case reflect.Slice:
				var items []string
				for it := range strings.SplitSeq(val, ",") {
					if it = strings.TrimSpace(it); it != "" {
						items = append(items, it)
					}
				}
				fv.Set(reflect.ValueOf(items))
			case reflect.Bool:
				b, err := parseBool(val)
				if err != nil && bad == nil {
					bad = &ConfigError{Key: ev, Msg: err.Error()}
				}
				fv.SetBool(b)
			}
		}
	}
	apply(reflect.ValueOf(cfg).Elem(), "")
	if bad != nil {
		return bad
	}
	for _, k := range slices.Sorted(mapKeys(vars)) {
		if known[k] {
			continue
		}
		msg := "unknown setting"
		if s := grammar.Nearest(k, slices.Sorted(mapKeys(known))); s != "" {
			msg += "; did you mean " + s + "?"
		}
		return &ConfigError{Key: k, Msg: msg}
	}
	return nil
}

// bad returns the error for key, naming the environment variable that set
// it, if one did.
func (cfg *Config) bad(key, format string, args ...any) *ConfigError {
	if ev, ok := cfg.fromEnv[key]; ok {
		key += " (from " + ev + ")"
	} else if i := strings.IndexByte(key, '['); i > 0 {
		if ev, ok := cfg.fromEnv[key[:i]]; ok {
			key += " (from " + ev + ")"
		}
	}
	return &ConfigError{Key: key, Msg: fmt.Sprintf(format, args...)}
}

// Validation patterns.
var (
	dbNameRE    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,63}$`)
	snowflakeRE = regexp.MustCompile(`^\d{5,20}$`)
	adminIDRE   = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	durationRE  = regexp.MustCompile(`^(\d+)([dw])$`)
)

// Validate checks every value and returns the first bad one.
func (cfg *Config) Validate() error {
	if u := cfg.MongoDB.URI; u != "" {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "mongodb" && p.Scheme != "mongodb+srv") || p.Host == "" {
			return cfg.bad("mongodb.uri", "want mongodb://host:port or mongodb+srv://host, or leave it empty for the embedded database")
		}
	}
	for key, v := range map[string]string{"mongodb.command_timeout": cfg.MongoDB.CommandTimeout,
		"mongodb.heartbeat": cfg.MongoDB.Heartbeat, "mongodb.server_selection_timeout": cfg.MongoDB.ServerSelectionTimeout} {
		if d, err := time.ParseDuration(v); v != "" && (err != nil || d <= 0 || d > 5*time.Minute) {
			return cfg.bad(key, "want a duration such as 4s (up to 5m), got %q", v)
		}
	}
	if !dbNameRE.MatchString(cfg.MongoDB.Database) {
		return cfg.bad("mongodb.database", "want a name of letters, digits, - and _ (up to 63), got %q", cfg.MongoDB.Database)
	}
	if strings.TrimSpace(cfg.DataDir) == "" {
		return cfg.bad("data_dir", "want a folder for the embedded database, such as data")
	}
	switch strings.ToLower(cfg.Log.Level) {
	case "", "debug", "info", "warn", "error":
	default:
		return cfg.bad("log.level", "want debug, info, warn or error, got %q", cfg.Log.Level)
	}
	switch strings.ToLower(cfg.Log.Format) {
	case "text", "json":
	default:
		return cfg.bad("log.format", "want text or json, got %q", cfg.Log.Format)
	}
	for _, l := range []struct {
		key string
		ids []string
	}{{"admins.slack", cfg.Admins.Slack}, {"admins.discord", cfg.Admins.Discord}} {
		for i, id := range l.ids {
			if !adminIDRE.MatchString(id) {
				return cfg.bad(fmt.Sprintf("%s[%d]", l.key, i), "want a user id such as U012AB3CD (Slack) or 123456789012345678 (Discord), got %q", id)
			}
		}
	}
	if a := cfg.HTTP.Addr; a != "" {
		if _, port, err := net.SplitHostPort(a); err != nil || port == "" {
			return cfg.bad("http.addr", "want host:port or :port, such as :8080, got %q", a)
		}
	}
	if err := cfg.validateURL("http.public_url", cfg.HTTP.PublicURL); err != nil {
		return err
	}
	if err := cfg.validateSlack(); err != nil {
		return err
	}
	if err := cfg.validateDiscord(); err != nil {
		return err
	}
	if _, err := strconv.ParseBool(strings.TrimSpace(cfg.Conferences.NotesVisibleToStudents)); err != nil {
		return cfg.bad("conferences.notes_visible_to_students", "want true or false, got %q", cfg.Conferences.NotesVisibleToStudents)
	}
	if n, err := strconv.Atoi(strings.TrimSpace(cfg.Summaries.MinClassSize)); err != nil || n < 1 || n > 1000 {
		return cfg.bad("summaries.min_class_size", "want a whole number of students, 1 or more (default 5), got %q", cfg.Summaries.MinClassSize)
	}
	switch handlers.EnrolBy(strings.ToLower(strings.TrimSpace(cfg.Classes.EnrolBy))) {
	case handlers.EnrolByStaff, handlers.EnrolByAdmins:
	default:
		return cfg.bad("classes.enrol_by", "want staff or admins, got %q", cfg.Classes.EnrolBy)
	}
	set, err := cfg.Schedule.parse(cfg)
	if err != nil {
		return err
	}
	// "america/chicago" is read as America/Chicago: keep the name everyone
	// else (the scheduler, the handlers) loads.
	cfg.Schedule.TimeZone = set.TimeZone.String()
	_, err = cfg.retentionDays()
	return err
}

// EnrolBy is who may change class lists (classes.enrol_by); call it on a
// validated Config.
func (cfg *Config) EnrolBy() handlers.EnrolBy {
	return handlers.EnrolBy(strings.ToLower(strings.TrimSpace(cfg.Classes.EnrolBy)))
}

// retentionDays reads privacy.retention_days.
func (cfg *Config) retentionDays() (int, error) {
	v := strings.TrimSpace(cfg.Privacy.RetentionDays)
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > maxRetentionDays || (n > 0 && n < MinRetentionDays) {
		return 0, cfg.bad("privacy.retention_days", "want a number of days, %d or more (such as 365), or 0 for never, got %q", MinRetentionDays, cfg.Privacy.RetentionDays)
	}
	return n, nil
}

// Retention is privacy.retention_days as a duration (0: never); call it on
// a validated Config.
func (cfg *Config) Retention() time.Duration {
	n, err := cfg.retentionDays()
	if err != nil {
		panic("config: Retention on an unvalidated config: " + err.Error())
	}
	return time.Duration(n) * 24 * time.Hour
}

func (cfg *Config) validateSlack() error {
	s := cfg.Slack
	switch s.Mode {
	case "socket", "http":
	default:
		return cfg.bad("slack.mode", "want socket or http, got %q", s.Mode)
	}
	if err := cfg.validateURL("slack.api_url", s.APIURL); err != nil {
		return err
	}
	if n, err := strconv.Atoi(strings.TrimSpace(s.MessagesPerMinute)); err != nil || n < 1 || n > 100000 {
		return cfg.bad("slack.messages_per_minute", "want a whole number of messages a minute, such as %d, got %q", slack.DefaultMessagesPerMinute, s.MessagesPerMinute)
	}
	if s.BotToken == "" {
		if s.AppToken != "" || s.SigningSecret != "" {
			return cfg.bad("slack.bot_token", "is empty, but other slack keys are set: add the xoxb-… Bot User OAuth Token")
		}
		return nil
	}
	if !strings.HasPrefix(s.BotToken, "xoxb-") {
		return cfg.bad("slack.bot_token", "want the Bot User OAuth Token, which starts with xoxb-")
	}
	switch s.Mode {
	case "socket":
		if !strings.HasPrefix(s.AppToken, "xapp-") {
			return cfg.bad("slack.app_token", "socket mode needs an app-level token with connections:write, which starts with xapp-")
		}
	case "http":
		if s.SigningSecret == "" {
			return cfg.bad("slack.signing_secret", "http mode needs the app's signing secret")
		}
		if _, port, err := net.SplitHostPort(cfg.HTTP.Addr); err != nil || port == "" {
			return cfg.bad("http.addr", "want host:port or :port, such as :8080, got %q", cfg.HTTP.Addr)
		}
	}
	return nil
}

func (cfg *Config) validateDiscord() error {
	d := cfg.Discord
	if err := cfg.validateURL("discord.api_url", d.APIURL); err != nil {
		return err
	}
	if d.AppID != "" && !snowflakeRE.MatchString(d.AppID) {
		return cfg.bad("discord.app_id", "want the application id, digits only, got %q", d.AppID)
	}
	if d.GuildID != "" && !snowflakeRE.MatchString(d.GuildID) {
		return cfg.bad("discord.guild_id", "want the server id, digits only, got %q", d.GuildID)
	}
	if n, err := strconv.Atoi(strings.TrimSpace(d.Shards)); err != nil || n < 1 || n > discord.MaxShards {
		return cfg.bad("discord.shards", "want how many gateway shards the bot runs, 1 (the default) to %d, got %q", discord.MaxShards, d.Shards)
	}
	if d.Token == "" {
		if d.AppID != "" || d.GuildID != "" {
			return cfg.bad("discord.token", "is empty, but other discord keys are set: add the bot token")
		}
		return nil
	}
	if strings.ContainsAny(d.Token, " \t") && !strings.HasPrefix(d.Token, "Bot ") {
		return cfg.bad("discord.token", "want the bot token from the developer portal, without spaces")
	}
	if d.AppID == "" {
		return cfg.bad("discord.app_id", "is needed with discord.token: the application id from the developer portal")
	}
	return nil
}

func (cfg *Config) validateURL(key, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cfg.bad(key, "want an http(s) URL, got %q", v)
	}
	return nil
}

// SlackMessagesPerMinute returns slack.messages_per_minute (Validate
// checked it).
func (cfg *Config) SlackMessagesPerMinute() int {
	n, _ := strconv.Atoi(strings.TrimSpace(cfg.Slack.MessagesPerMinute))
	return n
}

// SlackEnabled reports whether the Slack adapter should run.
func (cfg *Config) SlackEnabled() bool { return cfg.Slack.BotToken != "" }

// DiscordEnabled reports whether the Discord adapter should run.
func (cfg *Config) DiscordEnabled() bool { return cfg.Discord.Token != "" }

// DiscordShards returns discord.shards (Validate checked it).
func (cfg *Config) DiscordShards() int {
	n, _ := strconv.Atoi(strings.TrimSpace(cfg.Discord.Shards))
	return n
}

// ScheduleSettings holds the scheduler's settings, typed. Quiet hours run from
// QuietStart to QuietEnd (minutes after local midnight); they wrap past
// midnight when QuietStart > QuietEnd, and are off when equal.
type ScheduleSettings struct {
	TimeZone            *time.Location
	Reflections         string // a 5-field cron spec or descriptor
	Summaries           string
	ConferenceReminders []time.Duration
	FollowupAfter       time.Duration
	QuietStart          int
	QuietEnd            int
	Holidays            []time.Time   // midnight UTC of each date
	NudgeAfter          time.Duration // 0 = off
	Workers             int
	SendRate            float64 // messages a second; 0 = as the platforms allow
	SendLease           time.Duration

	// SchoolDays are the days students get prompts and nudges, Monday first.
	SchoolDays []time.Weekday
}

// ScheduleSettings returns the scheduler's settings; call it on a
// validated Config.
func (cfg *Config) ScheduleSettings() ScheduleSettings {
	s, err := cfg.Schedule.parse(cfg)
	if err != nil {
		panic("config: ScheduleSettings on an unvalidated config: " + err.Error())
	}
	return s
}

// maxLead bounds durations in the schedule section.
const maxLead = 60 * 24 * time.Hour

func (s ScheduleConfig) parse(cfg *Config) (ScheduleSettings, error) {
	var out ScheduleSettings
	loc, err := plpbot.ParseZone(s.TimeZone)
	if g, ok := plpbot.GuessZone(s.TimeZone); ok {
		msg := fmt.Sprintf("want an IANA time zone (Area/City), got %q, which %s; did you mean %s?", s.TimeZone, g.Why, g.Zone)
		if g.Note != "" {
			msg += " " + g.Note
		}
		return out, cfg.bad("schedule.timezone", "%s", msg)
	}
	if err != nil {
		return out, cfg.bad("schedule.timezone", "want an IANA time zone such as America/New_York, got %q", s.TimeZone)
	}
	out.TimeZone = loc
	for _, c := range []struct {
		key, spec string
		dst       *string
	}{{"schedule.reflections", s.Reflections, &out.Reflections}, {"schedule.summaries", s.Summaries, &out.Summaries}} {
		if err := checkCron(c.spec); err != nil {
			return out, cfg.bad(c.key, "%q: %s", c.spec, cronProblem(err))
		}
		*c.dst = strings.TrimSpace(c.spec)
	}
	if len(s.ConferenceReminders) == 0 {
		return out, cfg.bad("schedule.conference_reminders", "want at least one lead time, such as [24h, 1h]")
	}
	for i, v := range s.ConferenceReminders {
		d, ok := parseDuration(v)
		if !ok || d <= 0 || d > maxLead {
			return out, cfg.bad(fmt.Sprintf("schedule.conference_reminders[%d]", i), "want a lead time such as 24h, 90m or 2d, got %q", v)
		}
		out.ConferenceReminders = append(out.ConferenceReminders, d)
	}
	if d, ok := parseDuration(s.FollowupAfter); !ok || d <= 0 || d > maxLead {
		return out, cfg.bad("schedule.followup_after", "want a duration such as 24h or 2d, got %q", s.FollowupAfter)
	} else {
		out.FollowupAfter = d
	}
	if q := strings.TrimSpace(s.QuietHours); q != "" && !strings.EqualFold(q, "off") {
		start, end, err := plpbot.ParseClockRange(q)
		if err != nil {
			return out, cfg.bad("schedule.quiet_hours", "want a start and an end such as 20:00-07:00 or 8pm-7am, got %q", s.QuietHours)
		}
		out.QuietStart, out.QuietEnd = start, end
	}
	days, err := plpbot.ParseSchoolDays(s.SchoolDays)
	if err != nil {
		msg := err.Error()
		var de *plpbot.Error
		if errors.As(err, &de) {
			msg = de.Message
		}
		return out, cfg.bad("schedule.school_days", "%s", msg)
	}
	out.SchoolDays = days
	for i, h := range s.Holidays {
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(h))
		if err != nil {
			return out, cfg.bad(fmt.Sprintf("schedule.holidays[%d]", i), "want a real date as YYYY-MM-DD, got %q", h)
		}
		out.Holidays = append(out.Holidays, t)
	}
	if d, ok := parseDuration(s.NudgeAfter); !ok || d < 0 || d > maxLead {
		return out, cfg.bad("schedule.nudge_after", "want a duration such as 7d, or 0 for off, got %q", s.NudgeAfter)
	} else {
		out.NudgeAfter = d
	}
	return out, s.parseSending(cfg, &out)
}

// Bounds of the sending settings.
const (
	maxWorkers    = 64
	maxSendRate   = 1000
	minSendLease  = 5 * time.Second
	maxSendLease  = 10 * time.Minute
	sendLeaseHint = "want a duration from 5s to 10m, such as 20s"
)

// parseSending reads how this process sends: schedule.workers,
// schedule.send_rate and schedule.send_lease.
func (s ScheduleConfig) parseSending(cfg *Config, out *ScheduleSettings) error {
	n, err := strconv.Atoi(strings.TrimSpace(s.Workers))
	if err != nil || n < 1 || n > maxWorkers {
		return cfg.bad("schedule.workers", "want how many messages to send at once, 1 to %d (default %d), got %q", maxWorkers, scheduler.DefaultWorkers, s.Workers)
	}
	out.Workers = n
	r, err := strconv.ParseFloat(strings.TrimSpace(s.SendRate), 64)
	if err != nil || r < 0 || r > maxSendRate || math.IsNaN(r) {
		return cfg.bad("schedule.send_rate", "want messages a second, such as 5, or 0 for as fast as each platform allows, got %q", s.SendRate)
	}
	out.SendRate = r
	d, ok := parseDuration(s.SendLease)
	if !ok || d < minSendLease || d > maxSendLease {
		return cfg.bad("schedule.send_lease", "%s, got %q", sendLeaseHint, s.SendLease)
	}
	out.SendLease = d
	return nil
}

// parseDuration reads a Go duration (24h, 90m, 1h30m), whole days or weeks
// (2d, 1w), or "0".
func parseDuration(s string) (time.Duration, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "0" {
		return 0, true
	}
	if m := durationRE.FindStringSubmatch(s); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 10000 {
			return 0, false
		}
		d := time.Duration(n) * 24 * time.Hour
		if m[2] == "w" {
			d *= 7
		}
		return d, true
	}
	d, err := time.ParseDuration(s)
	return d, err == nil
}

// cronProblem is what is wrong with a schedule, in the domain's words.
func cronProblem(err error) string {
	var de *plpbot.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return "want a 5-field cron spec such as \"0 14 * * FRI\""
}

// checkCron reads spec as the scheduler does (plpbot.Schedule).
func checkCron(spec string) error {
	if strings.TrimSpace(spec) == "" {
		return errors.New("empty")
	}
	_, err := plpbot.ParseSchedule(spec, time.UTC)
	return err
}
