package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := LoadConfig(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MongoDB.URI != "" || cfg.MongoDB.Database != "plpbot" || cfg.DataDir != "data" {
		t.Errorf("storage defaults: %+v, data_dir %q", cfg.MongoDB, cfg.DataDir)
	}
	if cfg.SlackEnabled() || cfg.DiscordEnabled() {
		t.Error("no adapter should be enabled by default")
	}
	if cfg.DiscordShards() != 1 {
		t.Errorf("discord.shards defaults to %d, want 1", cfg.DiscordShards())
	}
	if cfg.Log.StudentText {
		t.Error("log.student_text should be off by default")
	}
	s := cfg.ScheduleSettings()
	if s.TimeZone.String() != "America/New_York" || s.Reflections != "0 14 * * FRI" || s.FollowupAfter != 24*time.Hour ||
		s.QuietStart != 20*60 || s.QuietEnd != 7*60 || s.NudgeAfter != 0 ||
		len(s.ConferenceReminders) != 2 || s.ConferenceReminders[0] != 24*time.Hour || s.ConferenceReminders[1] != time.Hour {
		t.Errorf("schedule defaults: %+v", s)
	}
	if cfg.Retention() != 0 {
		t.Errorf("privacy.retention_days should be off by default: %v", cfg.Retention())
	}
}

func TestLoadConfig(t *testing.T) {
	yaml := `
mongodb:
  uri: mongodb://db.school.internal:27017
  database: plp_test
data_dir: /var/lib/plpbot
log: {level: debug, format: json, student_text: true}
admins:
  slack: [U012AB3CD]
  discord: ["123456789012345678"]
slack:
  bot_token: xoxb-1
  app_token: xapp-1
discord:
  token: abc.def
  app_id: "112233445566778899"
  shards: 2
schedule:
  timezone: Europe/London
  reflections: "CRON_TZ=Europe/London 0 9 * * MON"
  conference_reminders: [2d, 90m]
  followup_after: 1d
  quiet_hours: "21:30-06:45"
  holidays: [2026-12-25, 2027-01-01]
  nudge_after: 2w
privacy:
  retention_days: 365
`
	cfg, err := LoadConfig([]byte(yaml), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MongoDB.URI != "mongodb://db.school.internal:27017" || cfg.MongoDB.Database != "plp_test" || cfg.DataDir != "/var/lib/plpbot" {
		t.Errorf("storage: %+v %q", cfg.MongoDB, cfg.DataDir)
	}
	if cfg.Log != (LogConfig{Level: "debug", Format: "json", StudentText: true}) {
		t.Errorf("log: %+v", cfg.Log)
	}
	if strings.Join(cfg.Admins.Slack, ",") != "U012AB3CD" || strings.Join(cfg.Admins.Discord, ",") != "123456789012345678" {
		t.Errorf("admins: %+v", cfg.Admins)
	}
	if !cfg.SlackEnabled() || cfg.Slack.Mode != "socket" || !cfg.DiscordEnabled() || cfg.DiscordShards() != 2 {
		t.Errorf("adapters: %+v %+v", cfg.Slack, cfg.Discord)
	}
	s := cfg.ScheduleSettings()
	if s.TimeZone.String() != "Europe/London" || s.Summaries != "0 15 * * FRI" || s.FollowupAfter != 24*time.Hour ||
		s.QuietStart != 21*60+30 || s.QuietEnd != 6*60+45 || s.NudgeAfter != 14*24*time.Hour {
		t.Errorf("schedule: %+v", s)
	}
	if len(s.ConferenceReminders) != 2 || s.ConferenceReminders[0] != 48*time.Hour || s.ConferenceReminders[1] != 90*time.Minute {
		t.Errorf("reminders: %v", s.ConferenceReminders)
	}
	if len(s.Holidays) != 2 || !s.Holidays[0].Equal(time.Date(2026, 12, 25, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("holidays: %v", s.Holidays)
	}
	if cfg.Retention() != 365*24*time.Hour {
		t.Errorf("privacy.retention_days: %v", cfg.Retention())
	}
}

func TestLoadConfigEmptyDocuments(t *testing.T) {
	for _, doc := range []string{"", "\n# only a comment\n", "---\n", "~\n", "schedule:\n"} {
		if _, err := LoadConfig([]byte(doc), nil); err != nil {
			t.Errorf("LoadConfig(%q): %v", doc, err)
		}
	}
}

func TestEnvOverrides(t *testing.T) {
	env := []string{
		"HOME=/root",
		"PLPBOT_MONGODB_URI=mongodb+srv://user:pw@cluster0.example.net",
		"PLPBOT_DATA_DIR=/srv/plp",
		"PLPBOT_SLACK_BOT_TOKEN=xoxb-from-env",
		"PLPBOT_SLACK_MODE=http",
		"PLPBOT_SLACK_SIGNING_SECRET=s3cret",
		"PLPBOT_HTTP_ADDR=127.0.0.1:3000",
		"PLPBOT_ADMINS_SLACK= U1 , U2,,",
		"PLPBOT_SCHEDULE_CONFERENCE_REMINDERS=48h,30m",
		"PLPBOT_SCHEDULE_QUIET_HOURS=off",
		"PLPBOT_LOG_STUDENT_TEXT=TRUE",
		"PLPBOT_PRIVACY_RETENTION_DAYS=90",
	}
	file := "slack: {bot_token: xoxb-from-file, app_token: xapp-1}\nschedule: {quiet_hours: \"22:00-06:00\"}\n"
	cfg, err := LoadConfig([]byte(file), env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MongoDB.URI != "mongodb+srv://user:pw@cluster0.example.net" || cfg.DataDir != "/srv/plp" || cfg.HTTP.Addr != "127.0.0.1:3000" {
		t.Errorf("overrides: %+v %q %q", cfg.MongoDB, cfg.DataDir, cfg.HTTP.Addr)
	}
	if cfg.Slack.BotToken != "xoxb-from-env" || cfg.Slack.Mode != "http" || cfg.Slack.AppToken != "xapp-1" {
		t.Errorf("env should win over the file, the rest stays: %+v", cfg.Slack)
	}
	if !cfg.Log.StudentText {
		t.Error("log.student_text should be on")
	}
	if got := strings.Join(cfg.Admins.Slack, "|"); got != "U1|U2" {
		t.Errorf("admins.slack = %q", got)
	}
	s := cfg.ScheduleSettings()
	if len(s.ConferenceReminders) != 2 || s.ConferenceReminders[1] != 30*time.Minute {
		t.Errorf("reminders: %v", s.ConferenceReminders)
	}
	if s.QuietStart != 0 || s.QuietEnd != 0 {
		t.Errorf("quiet hours should be off: %d-%d", s.QuietStart, s.QuietEnd)
	}
	if cfg.Retention() != 90*24*time.Hour {
		t.Errorf("PLPBOT_PRIVACY_RETENTION_DAYS: %v", cfg.Retention())
	}
}

// TestConfigErrors: every bad value gives one line that names the key.
func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  []string
		want string
	}{
		{"yaml syntax", "mongodb: [", nil, "config: yaml: "},
		{"unknown section", "mongo:\n  uri: x\n", nil, "config: mongo: unknown key; did you mean mongodb? (line 1)"},
		{"unknown key", "slack:\n  bot_tokn: xoxb-1\n", nil, "config: slack.bot_tokn: unknown key; did you mean slack.bot_token? (line 2)"},
		{"unknown key far from any", "log:\n  colour: red\n", nil, "config: log.colour: unknown key; known keys here: format, level, student_text (line 2)"},
		{"section as value", "mongodb: mongodb://x\n", nil, `config: mongodb: want a section of keys, got "mongodb://x" (line 1)`},
		{"list as value", "admins:\n  slack: U123\n", nil, `config: admins.slack: want a list such as [a, b], got "U123" (line 2)`},
		{"value as list", "log:\n  level: [debug]\n", nil, "config: log.level: want a single value, got a list (line 2)"},
		{"list of lists", "schedule:\n  holidays: [[2026-12-25]]\n", nil, "config: schedule.holidays[0]: want a single value, got a list (line 2)"},
		{"mongodb.uri", "mongodb: {uri: \"localhost:27017\"}", nil, "config: mongodb.uri: want mongodb://host:port"},
		{"mongodb.database", "mongodb: {database: \"my db\"}", nil, `config: mongodb.database: want a name of letters, digits, - and _ (up to 63), got "my db"`},
		{"data_dir", "data_dir: \"  \"", nil, "config: data_dir: want a folder"},
		{"log.level", "log: {level: verbose}", nil, `config: log.level: want debug, info, warn or error, got "verbose"`},
		{"log.format", "log: {format: xml}", nil, `config: log.format: want text or json, got "xml"`},
		{"log.student_text", "log: {student_text: maybe}", nil, `config: log.student_text: want true or false, got "maybe" (line 1)`},
		{"log.student_text as list", "log: {student_text: [true]}", nil, `config: log.student_text: want true or false, got a list (line 1)`},
		{"log.student_text from env", "", []string{"PLPBOT_LOG_STUDENT_TEXT=yes"}, `config: PLPBOT_LOG_STUDENT_TEXT: want true or false, got "yes"`},
		{"admins.discord", "admins: {discord: [\"<@123>\"]}", nil, `config: admins.discord[0]: want a user id`},
		{"slack.mode", "slack: {mode: rtm}", nil, `config: slack.mode: want socket or http, got "rtm"`},
		{"slack.bot_token missing", "slack: {app_token: xapp-1}", nil, "config: slack.bot_token: is empty, but other slack keys are set"},
		{"slack.bot_token prefix", "slack: {bot_token: xoxp-1, app_token: xapp-1}", nil, "config: slack.bot_token: want the Bot User OAuth Token, which starts with xoxb-"},
		{"slack.app_token", "slack: {bot_token: xoxb-1}", nil, "config: slack.app_token: socket mode needs an app-level token"},
		{"slack.signing_secret", "slack: {bot_token: xoxb-1, mode: http}", nil, "config: slack.signing_secret: http mode needs the app's signing secret"},
		{"http.addr", "slack: {bot_token: xoxb-1, mode: http, signing_secret: s}\nhttp: {addr: \"8080\"}", nil, `config: http.addr: want host:port or :port, such as :8080, got "8080"`},
		{"slack.api_url", "slack: {api_url: \"slack.local\"}", nil, `config: slack.api_url: want an http(s) URL, got "slack.local"`},
		{"discord.token missing", "discord: {app_id: \"112233445566778899\"}", nil, "config: discord.token: is empty"},
		{"discord.app_id missing", "discord: {token: abc}", nil, "config: discord.app_id: is needed with discord.token"},
		{"discord.app_id", "discord: {token: abc, app_id: my-bot}", nil, `config: discord.app_id: want the application id, digits only, got "my-bot"`},
		{"discord.guild_id", "discord: {token: abc, app_id: \"112233445566778899\", guild_id: school}", nil, `config: discord.guild_id: want the server id, digits only, got "school"`},
		{"discord.api_url", "discord: {api_url: \"ftp://x\"}", nil, `config: discord.api_url: want an http(s) URL, got "ftp://x"`},
		{"discord.shards", "discord: {shards: 0}", nil, `config: discord.shards: want how many gateway shards the bot runs, 1 (the default) to 1024, got "0"`},
		{"discord.shards from env", "", []string{"PLPBOT_DISCORD_SHARDS=two"}, `config: discord.shards (from PLPBOT_DISCORD_SHARDS): want how many gateway shards the bot runs`},
		{"schedule.timezone", "schedule: {timezone: Mars/Olympus}", nil, `config: schedule.timezone: want an IANA time zone such as America/New_York, got "Mars/Olympus"`},
		{"schedule.timezone Local", "schedule: {timezone: Local}", nil, `config: schedule.timezone: want an IANA time zone`},
		{"schedule.timezone abbreviation", "schedule: {timezone: EST}", nil, `config: schedule.timezone: want an IANA time zone (Area/City), got "EST", which has no daylight saving; did you mean America/New_York?`},
		{"schedule.timezone MST", "schedule: {timezone: MST}", nil, `config: schedule.timezone: want an IANA time zone (Area/City), got "MST", which has no daylight saving; did you mean America/Denver? In Arizona, which keeps standard time all year, use America/Phoenix.`},
		{"schedule.timezone offset", "schedule: {timezone: UTC-5}", nil, `config: schedule.timezone: want an IANA time zone such as America/New_York, got "UTC-5"`},
		{"schedule.reflections", "schedule: {reflections: \"every friday\"}", nil, `config: schedule.reflections: "every friday": "every friday" has 2 field(s), not 5. A schedule is five fields in quotes`},
		{"schedule.reflections CRON_TZ without zone", "schedule: {reflections: \"CRON_TZ=\"}", nil, `config: schedule.reflections: "CRON_TZ=": A time zone is needed here, such as America/New_York.`},
		{"schedule.summaries @every", "schedule: {summaries: \"@every 1s\"}", nil, `config: schedule.summaries: "@every 1s": I don't know "@every 1s".`},
		{"schedule.summaries 6 fields", "schedule: {summaries: \"0 0 14 * * FRI\"}", nil, `config: schedule.summaries: "0 0 14 * * FRI": "0 0 14 * * FRI" has 6 field(s), not 5.`},
		{"schedule.conference_reminders empty", "schedule: {conference_reminders: []}", nil, "config: schedule.conference_reminders: want at least one lead time"},
		{"schedule.conference_reminders item", "schedule: {conference_reminders: [24h, soon]}", nil, `config: schedule.conference_reminders[1]: want a lead time such as 24h, 90m or 2d, got "soon"`},
		{"schedule.conference_reminders negative", "schedule: {conference_reminders: [-1h]}", nil, `config: schedule.conference_reminders[0]: want a lead time`},
		{"schedule.followup_after", "schedule: {followup_after: 0}", nil, `config: schedule.followup_after: want a duration such as 24h or 2d, got "0"`},
		{"schedule.quiet_hours", "schedule: {quiet_hours: 8pm}", nil, `config: schedule.quiet_hours: want a start and an end such as 20:00-07:00 or 8pm-7am, got "8pm"`},
		{"schedule.quiet_hours out of range", "schedule: {quiet_hours: \"20:00-24:00\"}", nil, `config: schedule.quiet_hours: want a start and an end such as 20:00-07:00 or 8pm-7am, got "20:00-24:00"`},
		{"schedule.quiet_hours 13pm", "schedule: {quiet_hours: \"8pm-13pm\"}", nil, `config: schedule.quiet_hours: want a start and an end such as 20:00-07:00 or 8pm-7am, got "8pm-13pm"`},
		{"schedule.quiet_hours bare hour", "schedule: {quiet_hours: \"8-7\"}", nil, `config: schedule.quiet_hours: want a start and an end such as 20:00-07:00 or 8pm-7am, got "8-7"`},
		{"schedule.holidays", "schedule: {holidays: [2026-12-25, 2027-02-30]}", nil, `config: schedule.holidays[1]: want a real date as YYYY-MM-DD, got "2027-02-30"`},
		{"schedule.nudge_after", "schedule: {nudge_after: -7d}", nil, `config: schedule.nudge_after: want a duration such as 7d, or 0 for off, got "-7d"`},
		{"env names the variable", "", []string{"PLPBOT_SCHEDULE_QUIET_HOURS=8pm"}, `config: schedule.quiet_hours (from PLPBOT_SCHEDULE_QUIET_HOURS): want a start and an end such as 20:00-07:00 or 8pm-7am, got "8pm"`},
		{"privacy.retention_days words", "privacy: {retention_days: 1y}", nil, `config: privacy.retention_days: want a number of days, 30 or more (such as 365), or 0 for never, got "1y"`},
		{"privacy.retention_days negative", "privacy: {retention_days: -1}", nil, `config: privacy.retention_days: want a number of days`},
		{"privacy.retention_days too short", "privacy: {retention_days: 7}", nil, `config: privacy.retention_days: want a number of days, 30 or more`},
		{"privacy.retention_days from env", "", []string{"PLPBOT_PRIVACY_RETENTION_DAYS=forever"}, `config: privacy.retention_days (from PLPBOT_PRIVACY_RETENTION_DAYS): want a number of days`},
		{"env list item names the variable", "", []string{"PLPBOT_SCHEDULE_HOLIDAYS=2026-12-25,Xmas"}, `config: schedule.holidays[1] (from PLPBOT_SCHEDULE_HOLIDAYS): want a real date`},
		{"unknown env var", "", []string{"PLPBOT_SLACK_BOTTOKEN=xoxb-1"}, "config: PLPBOT_SLACK_BOTTOKEN: unknown setting; did you mean PLPBOT_SLACK_BOT_TOKEN?"},
		{"unknown env var far from any", "", []string{"PLPBOT_COLOUR=red"}, "config: PLPBOT_COLOUR: unknown setting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig([]byte(tt.yaml), tt.env)
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a *ConfigError", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.want) {
				t.Errorf("got  %q\nwant %q…", msg, tt.want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
		})
	}
}

// TestScheduleTimesPeopleWrite: quiet hours and the time zone read as
// people write them, by the same readers as the commands (plpbot.ParseClock,
// plpbot.ParseZone).
func TestScheduleTimesPeopleWrite(t *testing.T) {
	tests := []struct {
		quiet, zone string
		from, to    int
		wantZone    string
	}{
		{"8pm-7am", "America/Chicago", 20 * 60, 7 * 60, "America/Chicago"},
		{"8 PM - 7 AM", "america/chicago", 20 * 60, 7 * 60, "America/Chicago"},
		{"9:30pm to 6:45am", "UTC", 21*60 + 30, 6*60 + 45, "UTC"},
		{"22:00–06:00", "Europe/London", 22 * 60, 6 * 60, "Europe/London"},
		{"OFF", "Europe/London", 0, 0, "Europe/London"},
	}
	for _, tt := range tests {
		yaml := "schedule: {quiet_hours: \"" + tt.quiet + "\", timezone: \"" + tt.zone + "\"}"
		cfg, err := LoadConfig([]byte(yaml), nil)
		if err != nil {
			t.Errorf("%s: %v", yaml, err)
			continue
		}
		s := cfg.ScheduleSettings()
		if s.QuietStart != tt.from || s.QuietEnd != tt.to || s.TimeZone.String() != tt.wantZone {
			t.Errorf("%s: quiet %d-%d in %s, want %d-%d in %s", yaml, s.QuietStart, s.QuietEnd, s.TimeZone, tt.from, tt.to, tt.wantZone)
		}
	}
}

func TestReadConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "school.yaml")
	if err := os.WriteFile(path, []byte("data_dir: elsewhere\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := ReadConfig(path, nil)
	if err != nil || cfg.DataDir != "elsewhere" {
		t.Errorf("ReadConfig(%s) = %q, %v", path, cfg.DataDir, err)
	}
	_, err = ReadConfig(filepath.Join(dir, "missing.yaml"), nil)
	if err == nil || !strings.HasPrefix(err.Error(), "config: -config: can't read ") {
		t.Errorf("a missing -config file: got %v", err)
	}
	// Without -config, a missing ./plpbot.yaml means the defaults.
	t.Chdir(dir)
	if cfg, err := ReadConfig("", nil); err != nil || cfg.DataDir != "data" {
		t.Errorf("no ./plpbot.yaml: %q, %v", cfg.DataDir, err)
	}
	if err := os.WriteFile(DefaultConfigFile, []byte("data_dir: here\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if cfg, err := ReadConfig("", nil); err != nil || cfg.DataDir != "here" {
		t.Errorf("./plpbot.yaml: %q, %v", cfg.DataDir, err)
	}
}

// TestExampleConfig: the shipped example loads, and runs the console on
// the embedded database.
func TestExampleConfig(t *testing.T) {
	cfg, err := ReadConfig(filepath.Join("..", "..", "config.example.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MongoDB.URI != "" || cfg.SlackEnabled() || cfg.DiscordEnabled() {
		t.Errorf("the example should run the console on the embedded database: %+v", cfg)
	}
	def := DefaultConfig()
	if cfg.ScheduleSettings().QuietStart != def.ScheduleSettings().QuietStart || cfg.Schedule.Reflections != def.Schedule.Reflections {
		t.Errorf("the example's schedule should show the defaults: %+v", cfg.Schedule)
	}
}
