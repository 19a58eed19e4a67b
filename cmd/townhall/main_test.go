package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestBadConfigExitsTwoWithOneLine(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"dev login on all interfaces", []string{"--dev-login", "--addr", "0.0.0.0:8080"}, "--dev-login"},
		{"dev login on a public address", []string{"--dev-login", "--addr", "192.0.2.10:8080"}, "loopback"},
		{"dev login on an empty host", []string{"--dev-login", "--addr", ":8080"}, "loopback"},
		{"addr without port", []string{"--addr", "localhost"}, "--addr"},
		{"base URL with path", []string{"--base-url", "https://example.com/community"}, "--base-url"},
		{"base URL not http", []string{"--base-url", "ftp://example.com"}, "--base-url"},
		{"mongodb URI of another scheme", []string{"--mongodb-uri", "http://127.0.0.1:27017"}, "--mongodb-uri"},
		{"short secret", []string{"--session-secret", "short"}, "32"},
		{"bad number", []string{"--max-body", "lots"}, "max-body"},
		{"bad log format", []string{"--log-format", "xml"}, "log-format"},
		{"unknown time zone", []string{"--time-zone", "Mars/Olympus"}, "--time-zone"},
		{"SMTP URL of another scheme", []string{"--smtp-url", "http://mail.example.com"}, "--smtp-url"},
		{"SMTP URL without a host", []string{"--smtp-url", "smtp://:587"}, "no host"},
		{"SMTP URL with a bad port", []string{"--smtp-url", "smtp://mail.example.com:99999"}, "port"},
		{"SMTP URL with an unknown option", []string{"--smtp-url", "smtp://mail.example.com?starttls=yes"}, "unknown option"},
		{"implicit TLS turned off", []string{"--smtp-url", "smtps://mail.example.com?tls=none"}, "tls=none"},
		{"password in clear text", []string{"--smtp-url", "smtp://user:pass@mail.example.com:25?tls=none"}, "clear text"},
		{"mail from not an address", []string{"--mail-from", "Acme Community"}, "--mail-from"},
		{"mail from two addresses", []string{"--mail-from", "a@example.com, b@example.com"}, "--mail-from"},
		{"negative mail delay", []string{"--mail-delay", "-1m"}, "--mail-delay"},
		{"mail delay too long", []string{"--mail-delay", "3h"}, "--mail-delay"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"stray argument", []string{"serve", "extra"}, "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			args := tc.args
			switch args[0] {
			case "frobnicate":
			case "serve":
				args = []string{"serve", "--data", t.TempDir(), "extra"}
			default:
				args = append(append([]string{}, args...), "--data", t.TempDir())
			}
			code := run(context.Background(), args, &out, &errOut)
			if code != 2 {
				t.Fatalf("exit code %d, want 2; stderr: %s", code, errOut.String())
			}
			if !strings.Contains(errOut.String(), tc.want) {
				t.Fatalf("stderr %q does not mention %q", errOut.String(), tc.want)
			}
		})
	}
}

func TestEnvFallbacks(t *testing.T) {
	fs, cfg, _ := configFlags("serve", io.Discard)
	env := map[string]string{
		"TOWNHALL_ADDR":      "127.0.0.1:9999",
		"TOWNHALL_DEV_LOGIN": "true",
		"TOWNHALL_SITE_NAME": "Acme Community",
		"TOWNHALL_RATE_USER": "7",
		"TOWNHALL_DATA":      "/from/env",
	}
	if err := parse(fs, []string{"--data", "/from/flag"}, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9999" || !cfg.DevLogin || cfg.SiteName != "Acme Community" || cfg.UserWritesPerMinute != 7 {
		t.Fatalf("env not applied: %+v", cfg)
	}
	if cfg.DataDir != "/from/flag" {
		t.Fatalf("flag must win over env: data = %q", cfg.DataDir)
	}
	fs, _, _ = configFlags("serve", io.Discard)
	err := parse(fs, nil, func(k string) string {
		if k == "TOWNHALL_RATE_IP" {
			return "many"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "TOWNHALL_RATE_IP") {
		t.Fatalf("bad env value: err = %v, want it named", err)
	}
}

func TestEveryFlagIsDocumented(t *testing.T) {
	readme := readREADME(t)
	fs, _, _ := configFlags("serve", io.Discard)
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(readme, "--"+f.Name) || !strings.Contains(readme, EnvName(f.Name)) {
			t.Errorf("README does not document --%s / %s", f.Name, EnvName(f.Name))
		}
	})
}

func TestServeStartsAndShutsDownGracefully(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var errOut bytes.Buffer
	go func() { done <- run(ctx, []string{"--addr", addr, "--data", t.TempDir()}, io.Discard, &errOut) }()
	start := time.Now()
	var res *http.Response
	for time.Since(start) < 10*time.Second {
		if res, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("server never answered: %v\n%s", err, errOut.String())
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("healthz %d", res.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit code %d after shutdown: %s", code, errOut.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not shut down")
	}
	if !strings.Contains(errOut.String(), "stopped") {
		t.Fatalf("no shutdown log line: %s", errOut.String())
	}
}
