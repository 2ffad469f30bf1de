import { existsSync } from 'node:fs';
import { AppError } from '../core/index.js';

/** Where headless Chromium is looked for (AISOC_CHROMIUM overrides). */
export function chromiumPath(): string | undefined {
  const candidates = [process.env.AISOC_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => p !== undefined && existsSync(p));
}

/**
 * Prints a self-contained HTML page to PDF in headless Chromium through playwright-core (no
 * bundled browser download: it drives the system's Chromium). The page fetches nothing, so
 * the browser runs offline.
 */
export async function htmlToPdf(html: string): Promise<Buffer> {
  const executablePath = chromiumPath();
  if (!executablePath)
    throw new AppError(
      'REPORT_PDF_UNAVAILABLE',
      'PDF needs headless Chromium at /usr/bin/chromium (apt-get install chromium) or AISOC_CHROMIUM; use --format html',
    );
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({
      format: 'A4',
      printBackground: true,
      margin: { top: '15mm', bottom: '15mm', left: '12mm', right: '12mm' },
    });
  } finally {
    await browser.close();
  }
}
