package server

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// screenshots is where the browser test leaves a picture of each page it
// drives; .gitignore keeps it out of the repository.
const screenshots = "screenshots"

// chromium finds a Chromium or Chrome binary, or "".
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowser drives the page in a real headless Chromium: it uploads the
// bundled sample sheet and checks the amounts in the workbook it
// downloads, decides one case through the form and reads the explanation
// and the clause, and opens the policy browser.
func TestBrowser(t *testing.T) {
	bin := chromium()
	if bin == "" {
		if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
			t.Fatal("CI is set and no chromium binary was found: .ci/run installs Debian's chromium package")
		}
		t.Skip("no chromium binary on PATH (apt-get install chromium); the browser test needs one")
	}
	ts := newTestServer(t, Limits{})
	srv := httptest.NewServer(ts.Handler()) // 127.0.0.1
	defer srv.Close()
	require.NoError(t, os.MkdirAll(screenshots, 0o755))
	sheet, err := filepath.Abs(sampleSheet)
	require.NoError(t, err)
	downloads := t.TempDir()

	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	text := func(id string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
		require.NoError(t, err, "text of #%s", id)
		return v
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100 is PNG; less is JPEG
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(screenshots, name), png, 0o644))
	}
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1200, 900)), "starting %s", bin)

	t.Run("upload", func(t *testing.T) {
		_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: new(true)})
		require.NoError(t, err)
		progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/"),
			chromedp.SetValue(chromedp.ID("rule"), "training-grant"),
			chromedp.SetValue(chromedp.ID("as_of"), "2021-09-01"),
			chromedp.SetUploadFiles(chromedp.ID("sheet"), []string{sheet}),
			chromedp.Click(chromedp.ID("submit")),
			chromedp.WaitVisible(chromedp.ID("summary")),
		))
		assert.Equal(t, "36", text("records"))
		assert.Equal(t, "25", text("passed"))
		assert.Equal(t, "4", text("errors"))
		assert.Equal(t, "46100.00", text("sum-amount"))
		shot("upload.png")
		require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("download"))))
		var guid string
		for ev, err := range progress {
			require.NoError(t, err, "waiting for the download")
			if ev.State == browser.DownloadProgressStateCompleted {
				guid = ev.GUID
				break
			}
			require.NotEqual(t, browser.DownloadProgressStateCanceled, ev.State)
		}
		path := filepath.Join(downloads, guid+".xlsx")
		require.NoError(t, os.Rename(filepath.Join(downloads, guid), path))
		header, rows := readTable(t, path)
		require.Len(t, rows, 36)
		id, amount, reasons := column(t, header, "id"), column(t, header, "amount"), column(t, header, "reasons")
		assert.Equal(t, "TG0001", rows[0][id])
		assert.Equal(t, "1800", rows[0][amount], "an exact number cell, read back as Excel's General format shows it")
		assert.Equal(t, "0", rows[3][amount])
		assert.Equal(t, "not-disaster-affected", rows[3][reasons])
		assert.Equal(t, "", rows[4][amount], "a record that cannot be decided has no amount")
	})

	t.Run("one case", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/case?rule=training-grant"),
			chromedp.SetValue(chromedp.ID("f-as_of"), "2021-09-01"),
			chromedp.SetValue(chromedp.ID("f-poverty_relieved"), "是"),
			chromedp.SetValue(chromedp.ID("f-monitored"), "否"),
			chromedp.SetValue(chromedp.ID("f-disaster_affected"), "是"),
			chromedp.SetValue(chromedp.ID("f-certificate_tier"), "B"),
			chromedp.Click(chromedp.ID("decide")),
			chromedp.WaitVisible(chromedp.ID("decision")),
		))
		assert.Equal(t, "符合条件", text("verdict"))
		assert.Equal(t, "1800.00", text("out-amount"))
		clause := text("clause")
		assert.Contains(t, clause, "第七条")
		assert.Contains(t, clause, "B 类工种 1800 元")
		explanation := text("explanation")
		assert.Contains(t, explanation, "第七条")
		assert.Contains(t, explanation, "1800.00")
		shot("case.png")
	})

	t.Run("policy browser", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/policy"),
			chromedp.WaitVisible(chromedp.ID("measures")),
		))
		measures, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll("#measures li")))
		require.NoError(t, err)
		assert.Len(t, measures, 18)
		rules, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll("article.rule")))
		require.NoError(t, err)
		assert.Len(t, rules, 7)
		params := text("parameters")
		assert.True(t, strings.Contains(params, "一年期贷款市场报价利率") && strings.Contains(params, "0.0335"), "parameters: %.200s", params)
		shot("policy.png")
	})
}
