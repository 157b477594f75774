// Command bangfu is the whole product: the web server over one SQLite file and the command-line tools
// (SPEC §9.1). It only wires the pieces; the rules live in internal/.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/audit"
	"bangfu/internal/auth"
	"bangfu/internal/campaign"
	"bangfu/internal/clock"
	"bangfu/internal/demo"
	"bangfu/internal/finaudit"
	"bangfu/internal/ledger"
	"bangfu/internal/org"
	"bangfu/internal/relief"
	"bangfu/internal/store"
	"bangfu/internal/validate"
	"bangfu/internal/web"
)

const usage = `bangfu — 困难职工帮扶管理系统 (case management for union hardship relief)

Usage:
  bangfu serve [--addr 127.0.0.1:8080] [--db ./data/bangfu.db] [--demo] [--tls-cert F --tls-key F] [--trusted-proxy CIDR] [--secure-cookie]
  bangfu audit verify [--db FILE] [--key FILE] [--checkpoint FILE]...
  bangfu audit checkpoint [--db FILE] [--key FILE]   sign the head of the audit chain; print it for filing
  bangfu ledger check [--db FILE]      recompute every balance from the transfers; exit 1 on any difference
  bangfu ledger reconcile [--db FILE]  the ledger against the registers (对账); exit 1 on any difference
  bangfu import [--db FILE] [--dry-run] [--org CODE] --as USER FILE   a survey list (XLSX/CSV) → draft households, all or nothing; exit 1 on any refused row
  bangfu backup [--db FILE] DEST
  bangfu user add --username U --name N --org CODE --role R[,R]   (password read from stdin)

Every flag can also be set as an environment variable: BANGFU_ADDR, BANGFU_DB, BANGFU_KEY, BANGFU_TLS_CERT,
BANGFU_TLS_KEY, BANGFU_TRUSTED_PROXY, BANGFU_SECURE_COOKIE, BANGFU_AS.
Run "bangfu COMMAND --help" for a command's flags.
`

func main() {
	code, err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bangfu:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func newFlags(name string, out io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	db := fs.String("db", env("BANGFU_DB", "./data/bangfu.db"), "SQLite database file (BANGFU_DB)")
	return fs, db
}

// run executes one command and returns the exit code. flag.ErrHelp means --help was asked: exit 0.
func run(ctx context.Context, args []string, stdin io.Reader, out io.Writer) (int, error) {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(out, usage)
		return 0, nil
	}
	var err error
	var code int
	switch cmd := strings.Join(args[:min(2, len(args))], " "); {
	case args[0] == "serve":
		err = serve(ctx, args[1:], out)
	case cmd == "audit verify":
		code, err = auditVerify(ctx, args[2:], out)
	case cmd == "audit checkpoint":
		code, err = auditCheckpoint(ctx, args[2:], out)
	case cmd == "ledger check":
		code, err = ledgerCheck(ctx, args[2:], out)
	case cmd == "ledger reconcile":
		code, err = ledgerReconcile(ctx, args[2:], out)
	case args[0] == "import":
		code, err = importFile(ctx, args[1:], out)
	case args[0] == "backup":
		err = backup(ctx, args[1:], out)
	case cmd == "user add":
		err = userAdd(ctx, args[2:], stdin, out)
	case len(args) == 2 && (args[1] == "-h" || args[1] == "--help" || args[1] == "help"):
		fmt.Fprint(out, usage) // "bangfu audit --help": the group's commands are in the usage
		return 0, nil
	default:
		fmt.Fprint(out, usage)
		return 2, fmt.Errorf("unknown command %q", strings.Join(args, " "))
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0, nil
	}
	return code, err
}

func serve(ctx context.Context, args []string, out io.Writer) error {
	fs, dbPath := newFlags("serve", out)
	addr := fs.String("addr", env("BANGFU_ADDR", "127.0.0.1:8080"), "address to listen on (BANGFU_ADDR)")
	withDemo := fs.Bool("demo", false, "fill an empty database with demo data")
	keyPath := keyFlag(fs)
	// SPEC §9.1, issue 15 item 5: HTTPS directly, or behind a proxy that terminates it.
	tlsCert := fs.String("tls-cert", env("BANGFU_TLS_CERT", ""), "TLS certificate file (PEM); with --tls-key serves HTTPS with HSTS (BANGFU_TLS_CERT)")
	tlsKey := fs.String("tls-key", env("BANGFU_TLS_KEY", ""), "TLS private key file (PEM) (BANGFU_TLS_KEY)")
	trustedProxy := fs.String("trusted-proxy", env("BANGFU_TRUSTED_PROXY", ""), "CIDR[,CIDR] of proxies whose X-Forwarded-For/-Proto are honoured (BANGFU_TRUSTED_PROXY)")
	secureCookie := fs.Bool("secure-cookie", env("BANGFU_SECURE_COOKIE", "") == "1" || env("BANGFU_SECURE_COOKIE", "") == "true",
		"always mark the session cookie Secure, e.g. behind a TLS proxy (BANGFU_SECURE_COOKIE=1)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return fmt.Errorf("--tls-cert 与 --tls-key 须同时指定")
	}
	var certs []tls.Certificate
	if *tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			return fmt.Errorf("读取 TLS 证书失败：%w", err)
		}
		certs = append(certs, cert)
	}
	proxies, err := web.ParseCIDRs(*trustedProxy)
	if err != nil {
		return err
	}
	// SPEC §7: the instance's checkpoint key is created on first start, beside the database unless placed.
	if *keyPath == "" {
		*keyPath = audit.DefaultKeyPath(*dbPath)
	}
	if _, err := audit.LoadOrCreateKey(*keyPath); err != nil {
		return err
	}
	db, err := store.Open(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	svc := &auth.Service{DB: db, Clock: clock.System{}}
	if *withDemo {
		created, err := demo.Full(ctx, db, svc)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if created {
			fmt.Fprintf(out, "演示数据已写入 %s。演示用户（密码均为 %s）：\n", *dbPath, demo.Password)
			for _, u := range demo.Users {
				fmt.Fprintf(out, "  %-12s %s  %s\n", u.Username, u.Name, roleNames(u.Roles))
			}
		} else if cut, err := demo.Interrupted(ctx, db.R); err != nil {
			return err
		} else if cut {
			return fmt.Errorf("演示数据上次未写完（写入时被中断），%s 中只有部分演示数据：请删除该文件后重新运行 make run", *dbPath)
		} else {
			fmt.Fprintln(out, "数据库已有数据，未写入演示数据。")
		}
	} else {
		password := oneTimePassword()
		created, err := svc.Bootstrap(ctx, "district", "区总工会", "admin", "系统管理员", password, true)
		if err != nil {
			return err
		}
		if created {
			fmt.Fprintf(out, "首次启动：已创建管理员 admin，一次性密码 %s（请登录后立即修改）\n", password)
		}
	}
	srv := &http.Server{
		Addr:              *addr,
		Handler:           web.New(web.Config{DB: db, Log: log, KeyPath: *keyPath, TrustedProxies: proxies, SecureCookie: *secureCookie}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	errc := make(chan error, 1)
	scheme := "http"
	if len(certs) > 0 {
		scheme = "https"
		srv.TLSConfig = &tls.Config{Certificates: certs, MinVersion: tls.VersionTLS12}
		go func() { errc <- srv.ListenAndServeTLS("", "") }()
	} else {
		go func() { errc <- srv.ListenAndServe() }()
	}
	fmt.Fprintf(out, "bangfu 已启动：%s://%s/ （数据库 %s）\n", scheme, *addr, *dbPath)
	select {
	case err := <-errc:
		return err
	case <-stop:
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return srv.Shutdown(ctx)
	}
}

func roleNames(roles []actor.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = actor.RoleNames[r]
	}
	return strings.Join(s, "、")
}

func oneTimePassword() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func auditVerify(ctx context.Context, args []string, out io.Writer) (int, error) {
	fs, dbPath := newFlags("audit verify", out)
	keyPath := keyFlag(fs)
	var files stringList
	fs.Var(&files, "checkpoint", "a checkpoint text file filed earlier (repeatable): prove the log only grew since")
	db, err := parseAndOpen(fs, dbPath, args)
	if err != nil {
		return 2, err
	}
	defer db.Close()
	if len(files) > 0 {
		return verifyCheckpoints(ctx, db, checkpointService(db, *dbPath, *keyPath), files, out)
	}
	r, err := audit.Verify(ctx, db.R)
	if err != nil {
		return 2, err
	}
	printJSON(out, r)
	if !r.OK {
		return 1, fmt.Errorf("audit chain broken at sequence number %d", r.FirstBadSeq)
	}
	return 0, nil
}

// ledgerCheck recomputes the ledger (SPEC §6: balances shown anywhere equal a recomputation from the
// transfers) and prints every difference; any difference is exit code 1.
func ledgerCheck(ctx context.Context, args []string, out io.Writer) (int, error) {
	fs, dbPath := newFlags("ledger check", out)
	db, err := parseAndOpen(fs, dbPath, args)
	if err != nil {
		return 2, err
	}
	defer db.Close()
	r, err := ledger.Check(ctx, db.R)
	if err != nil {
		return 2, err
	}
	printDiffers(out, r.Differences)
	// SPEC §4.2: each application's money is exactly the one transfer its status says.
	apps, problems, err := relief.CheckMoney(ctx, db.R)
	if err != nil {
		return 2, err
	}
	printDiffers(out, problems)
	// SPEC §5, §6: the campaigns' stock, deliveries, checks and spending agree with the ledger.
	campaigns, differs, err := campaign.CheckBooks(ctx, db.R)
	if err != nil {
		return 2, err
	}
	printDiffers(out, differs)
	problems = append(problems, differs...)
	if !r.OK() || len(problems) > 0 {
		return 1, fmt.Errorf("ledger check: %d differences in %d accounts and %d transfers, %d in %d applications",
			len(r.Differences), r.Accounts, r.Transfers, len(problems), apps)
	}
	fmt.Fprintf(out, "ledger check: ok, %d accounts and %d transfers agree with a recomputation; %d applications with their transfers; %d campaigns with their records\n",
		r.Accounts, r.Transfers, apps, campaigns)
	return 0, nil
}

// parseAndOpen parses a tool's flags and opens the existing database they name, as the checking tools start.
// The caller closes it; any error is the tool's exit code 2 (flag.ErrHelp, --help, is turned into 0 by run).
func parseAndOpen(fs *flag.FlagSet, dbPath *string, args []string) (*store.DB, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return openExisting(*dbPath)
}

// openExisting opens a database that must already exist (tools never create an empty one by accident).
func openExisting(path string) (*store.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return store.Open(path)
}

func backup(ctx context.Context, args []string, out io.Writer) error {
	fs, dbPath := newFlags("backup", out)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: bangfu backup [--db FILE] DEST")
	}
	if err := store.Backup(ctx, *dbPath, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(out, "备份完成：%s\n", fs.Arg(0))
	return nil
}

func userAdd(ctx context.Context, args []string, stdin io.Reader, out io.Writer) error {
	fs, dbPath := newFlags("user add", out)
	username := fs.String("username", "", "log-in name")
	name := fs.String("name", "", "full name")
	orgCode := fs.String("org", "", "org code")
	roles := fs.String("role", "", "roles, comma-separated: caseworker, supervisor, finance, auditor, admin")
	if err := fs.Parse(args); err != nil {
		return err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	db, err := openExisting(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	o, err := org.ByCode(ctx, db.R, *orgCode)
	if err != nil {
		return describe(err)
	}
	in := auth.NewUser{Username: *username, Name: *name, OrgID: o.ID, Password: strings.TrimRight(line, "\r\n"),
		KeepPassword: true} // the operator at the server sets the password the user keeps
	for _, r := range strings.Split(*roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			in.Roles = append(in.Roles, actor.Role(r))
		}
	}
	if err := validate.New(time.Now).Struct(in); err != nil {
		return describe(err)
	}
	svc := &auth.Service{DB: db, Clock: clock.System{}}
	u, err := svc.CreateUser(ctx, actor.System("cli"), in)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(out, "已创建用户 %s（%s，%s，%s）\n", u.Username, u.Name, u.Org.Name, roleNames(u.Roles))
	return nil
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func keyFlag(fs *flag.FlagSet) *string {
	return fs.String("key", env("BANGFU_KEY", ""), "checkpoint signing key (BANGFU_KEY; default: "+audit.KeyFileName+" beside the database)")
}

func checkpointService(db *store.DB, dbPath, keyPath string) *audit.Checkpoints {
	if keyPath == "" {
		keyPath = audit.DefaultKeyPath(dbPath)
	}
	return &audit.Checkpoints{DB: db, Clock: clock.System{}, KeyPath: keyPath}
}

// auditCheckpoint signs the head of the chain (SPEC §7) and prints the text to file on paper.
func auditCheckpoint(ctx context.Context, args []string, out io.Writer) (int, error) {
	fs, dbPath := newFlags("audit checkpoint", out)
	keyPath := keyFlag(fs)
	db, err := parseAndOpen(fs, dbPath, args)
	if err != nil {
		return 2, err
	}
	defer db.Close()
	c, err := checkpointService(db, *dbPath, *keyPath).Take(ctx, actor.System("cli"))
	if err != nil {
		return 2, describe(err)
	}
	fmt.Fprint(out, c.Text)
	return 0, nil
}

// verifyCheckpoints checks the chain against the checkpoint files: exit 1 if any is refused or the log did not
// only grow since each.
func verifyCheckpoints(ctx context.Context, db *store.DB, svc *audit.Checkpoints, files []string, out io.Writer) (int, error) {
	texts := make([]string, len(files))
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return 2, err
		}
		texts[i] = string(b)
	}
	r, err := svc.Verify(ctx, actor.System("cli"), texts)
	if err != nil {
		return 1, describe(err)
	}
	printJSON(out, r)
	if !r.OK {
		return 1, fmt.Errorf("audit chain: %s (%s) at sequence number %d", r.Problem, r.Message, r.FirstBadSeq)
	}
	return 0, nil
}

// ledgerReconcile checks the ledger against the registers (SPEC §8.2 对账): every posted transfer has its
// source record and every paid application its transfer for the same amount. Any difference is exit code 1.
func ledgerReconcile(ctx context.Context, args []string, out io.Writer) (int, error) {
	fs, dbPath := newFlags("ledger reconcile", out)
	db, err := parseAndOpen(fs, dbPath, args)
	if err != nil {
		return 2, err
	}
	defer db.Close()
	r, err := (&finaudit.Service{DB: db, Clock: clock.System{}}).Reconcile(ctx, actor.System("cli"))
	if err != nil {
		return 2, describe(err)
	}
	printDiffers(out, r.Differences)
	if !r.OK {
		return 1, fmt.Errorf("ledger reconcile: %d differences", len(r.Differences))
	}
	fmt.Fprintf(out, "ledger reconcile: ok, 0 differences: %d posted transfers have their source records, %d paid applications their transfers (%s)\n",
		r.Transfers, r.Applications, r.RegisterPaidFen)
	return 0, nil
}

// printDiffers prints each difference a check found on a line of its own, after "DIFFERS".
func printDiffers[T any](out io.Writer, differences []T) {
	for _, d := range differences {
		fmt.Fprintln(out, "DIFFERS", d)
	}
}

// printJSON prints a check's report as one line of JSON.
func printJSON(out io.Writer, report any) {
	j, _ := json.Marshal(report)
	fmt.Fprintln(out, string(j))
}
