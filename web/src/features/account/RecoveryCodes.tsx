import { useState } from 'react';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { recoveryCodesFile, recoveryCodesFileName } from './twoFactor';

/** New recovery codes, shown once: download them as a text file or copy them before leaving. */
export function RecoveryCodes({ codes, account, onDone }: { codes: string[]; account: string; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const text = () => recoveryCodesFile(codes, account, new Date());

  const download = () => {
    const url = URL.createObjectURL(new Blob([text()], { type: 'text/plain;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = recoveryCodesFileName(account);
    document.body.append(link);
    link.click();
    link.remove();
    // Revoked after the click has been handled; the download has its own copy by then.
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };

  return (
    <div className="flex flex-col gap-4">
      <Alert tone="info">
        Save these recovery codes somewhere safe. Each one signs you in once if you lose your authenticator app. They will not be shown
        again.
      </Alert>
      <ul aria-label="Recovery codes" className="grid grid-cols-2 gap-2 rounded-lg bg-side p-4 font-mono text-sm dark:bg-side-dark">
        {codes.map((code) => (
          <li key={code} data-testid="recovery-code">
            {code}
          </li>
        ))}
      </ul>
      <div className="flex flex-wrap gap-3">
        <Button variant="secondary" onClick={download}>
          Download
        </Button>
        <Button variant="secondary" onClick={() => void copy()}>
          Copy
        </Button>
        <Button onClick={onDone}>I’ve saved them</Button>
      </div>
      <div aria-live="polite" className="text-sm">
        {copied === 'yes' && 'Copied to the clipboard.'}
        {copied === 'failed' && 'Copying is not allowed here; download the file or write the codes down.'}
      </div>
    </div>
  );
}
