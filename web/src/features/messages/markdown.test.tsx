import { cleanup, fireEvent, render } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { inAppPath } from './externalLinks';
import { mentionedIds, mentionsAsText, safeHref, tokenize } from './markdown';
import { Markdown } from './Markdown';

describe('markdown tokenizer', () => {
  it('reads bold, italic, inline code and spoilers', () => {
    expect(tokenize('a **b** *c* _d_ `e` ||f||')).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'bold', children: [{ kind: 'text', text: 'b' }] },
      { kind: 'text', text: ' ' },
      { kind: 'italic', children: [{ kind: 'text', text: 'c' }] },
      { kind: 'text', text: ' ' },
      { kind: 'italic', children: [{ kind: 'text', text: 'd' }] },
      { kind: 'text', text: ' ' },
      { kind: 'code', text: 'e' },
      { kind: 'text', text: ' ' },
      { kind: 'spoiler', children: [{ kind: 'text', text: 'f' }] },
    ]);
  });

  it('keeps code blocks literal', () => {
    expect(tokenize('x```js\nconst a = **1**;\n```y')).toEqual([
      { kind: 'text', text: 'x' },
      { kind: 'codeblock', lang: 'js', text: 'const a = **1**;' },
      { kind: 'text', text: 'y' },
    ]);
  });

  it('makes links only of http and https', () => {
    expect(tokenize('see https://example.com/a?b=1.')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: '.' },
    ]);
    expect(tokenize('javascript:alert(1)')).toEqual([{ kind: 'text', text: 'javascript:alert(1)' }]);
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,<script>')).toBeNull();
  });

  it('parses mentions', () => {
    expect(tokenize('hi <@123>!')).toEqual([
      { kind: 'text', text: 'hi ' },
      { kind: 'mention', userId: '123' },
      { kind: 'text', text: '!' },
    ]);
    expect(mentionedIds('<@1> and <@!22> not <@x>')).toEqual(['1', '22']);
  });

  it('leaves unclosed markers as text', () => {
    expect(tokenize('**open and `tick')).toEqual([{ kind: 'text', text: '**open and `tick' }]);
  });
});

describe('Markdown rendering', () => {
  it('renders HTML and script in a message as text', () => {
    const { container } = render(
      <Markdown content={'<img src=x onerror=alert(1)><script>alert(2)</script> **<b>x</b>**'} names={{ nameOf: (id) => id }} />,
    );
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect(container.textContent).toContain('<script>alert(2)</script>');
  });

  it('never links javascript: URLs, and opens http links safely', () => {
    const { container } = render(
      <Markdown content={'[x](javascript:alert(1)) javascript:alert(1) https://ok.example/'} names={{ nameOf: (id) => id }} />,
    );
    const links = container.querySelectorAll('a');
    expect(links).toHaveLength(1);
    expect(links[0]!.getAttribute('href')).toBe('https://ok.example/');
    expect(links[0]!.getAttribute('rel')).toBe('noopener noreferrer');
    expect(links[0]!.getAttribute('target')).toBe('_blank');
  });

  it('shows mentions by name', () => {
    const { container } = render(<Markdown content="hey <@42>" names={{ nameOf: (id) => (id === '42' ? 'ann' : id) }} />);
    expect(container.textContent).toBe('hey @ann');
  });
});

describe('markdown blocks and Discord extras', () => {
  it('reads strikethrough and underline, with __ apart from _', () => {
    expect(tokenize('~~gone~~ __under__ _it_')).toEqual([
      { kind: 'strike', children: [{ kind: 'text', text: 'gone' }] },
      { kind: 'text', text: ' ' },
      { kind: 'underline', children: [{ kind: 'text', text: 'under' }] },
      { kind: 'text', text: ' ' },
      { kind: 'italic', children: [{ kind: 'text', text: 'it' }] },
    ]);
  });

  it('reads masked links only to whole http(s) addresses, with markup in their text', () => {
    expect(tokenize('[the **docs**](https://example.com/d)')).toEqual([
      {
        kind: 'link',
        href: 'https://example.com/d',
        children: [
          { kind: 'text', text: 'the ' },
          { kind: 'bold', children: [{ kind: 'text', text: 'docs' }] },
        ],
      },
    ]);
    expect(tokenize('[x](javascript:alert(1))')).toEqual([{ kind: 'text', text: '[x](javascript:alert(1))' }]);
    // An address safeHref would trim is not the one written: no link rather than a different one.
    expect(tokenize('[x](https://a.example/b.)')[0]).toEqual({ kind: 'text', text: '[x](' });
    // No link inside a link's text.
    expect(tokenize('[https://a.example](https://b.example)')).toEqual([
      { kind: 'link', href: 'https://b.example', children: [{ kind: 'text', text: 'https://a.example' }] },
    ]);
  });

  it('parses role and channel mentions apart from user mentions', () => {
    expect(tokenize('<@&7> in <#8> by <@9>')).toEqual([
      { kind: 'roleMention', roleId: '7' },
      { kind: 'text', text: ' in ' },
      { kind: 'channelMention', channelId: '8' },
      { kind: 'text', text: ' by ' },
      { kind: 'mention', userId: '9' },
    ]);
    expect(mentionedIds('<@&7> <#8> <@9>')).toEqual(['9']);
  });

  it('reads headings, quotes and lists at the start of a line only', () => {
    expect(tokenize('# Big\n### *small*\nnot # a heading\n#nospace')).toEqual([
      { kind: 'heading', level: 1, children: [{ kind: 'text', text: 'Big' }] },
      { kind: 'heading', level: 3, children: [{ kind: 'italic', children: [{ kind: 'text', text: 'small' }] }] },
      { kind: 'text', text: 'not # a heading\n#nospace' },
    ]);
    expect(tokenize('> one\n> two\nafter')).toEqual([
      { kind: 'quote', children: [{ kind: 'text', text: 'one\ntwo' }] },
      { kind: 'text', text: 'after' },
    ]);
    expect(tokenize('before\n>>> all\nof **this**')).toEqual([
      { kind: 'text', text: 'before' },
      {
        kind: 'quote',
        children: [
          { kind: 'text', text: 'all\nof ' },
          { kind: 'bold', children: [{ kind: 'text', text: 'this' }] },
        ],
      },
    ]);
    expect(tokenize('- a\n  - b\n* c\n3. x\n4. y\n-5 degrees')).toEqual([
      {
        kind: 'list',
        ordered: false,
        start: 1,
        items: [
          { depth: 0, children: [{ kind: 'text', text: 'a' }] },
          { depth: 1, children: [{ kind: 'text', text: 'b' }] },
          { depth: 0, children: [{ kind: 'text', text: 'c' }] },
        ],
      },
      {
        kind: 'list',
        ordered: true,
        start: 3,
        items: [
          { depth: 0, children: [{ kind: 'text', text: 'x' }] },
          { depth: 0, children: [{ kind: 'text', text: 'y' }] },
        ],
      },
      { kind: 'text', text: '-5 degrees' },
    ]);
  });

  it('keeps a line break between text and a code block out of the text', () => {
    expect(tokenize('look:\n```\ncode\n```\nafter')).toEqual([
      { kind: 'text', text: 'look:' },
      { kind: 'codeblock', lang: '', text: 'code' },
      { kind: 'text', text: 'after' },
    ]);
  });
});

describe('Markdown rendering of links, chips and code', () => {
  const names = {
    nameOf: (id: string) => id,
    roleOf: (id: string) => (id === '7' ? { name: 'Mods', color: 0xe91e63 } : undefined),
    channelOf: (id: string) => (id === '8' ? { name: 'general', path: '/servers/1/channels/8' } : undefined),
  };
  const renderIn = (content: string) =>
    render(
      <MemoryRouter>
        <Markdown content={content} names={names} />
      </MemoryRouter>,
    );

  beforeEach(() => {
    localStorage.clear();
    // jsdom has <dialog> without its modal methods; the Playwright specs cover the real one.
    HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
      this.open = true;
    };
    HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
      this.open = false;
    };
  });
  afterEach(cleanup);

  it('renders HTML inside the new blocks as text', () => {
    const { container } = renderIn('# <img src=x onerror=alert(1)>\n> <script>alert(2)</script>\n- [<b>x</b>](https://a.example)');
    expect(container.querySelector('img, script, b')).toBeNull();
    expect(container.querySelector('h3')!.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(container.querySelector('blockquote')!.textContent).toBe('<script>alert(2)</script>');
    expect(container.querySelector('li a')!.textContent).toBe('<b>x</b>');
  });

  it('shows role and channel mentions by name, and says when they are gone', () => {
    const { container, getByRole } = renderIn('<@&7> <@&99> <#8> <#99>');
    expect(container.textContent).toBe('@Mods @deleted-role #general #unknown-channel');
    expect(getByRole('link', { name: '#general' }).getAttribute('href')).toBe('/servers/1/channels/8');
    expect((container.querySelector('[data-role-id="7"]') as HTMLElement).style.boxShadow).toBe('inset 0 0 0 1px #e91e63');
  });

  it('asks before opening another site, showing the real address, and remembers a trusted one', () => {
    const opened: string[] = [];
    const open = vi.spyOn(window, 'open').mockImplementation((url) => {
      opened.push(String(url));
      return null;
    });
    const { getByRole, queryByRole } = renderIn('[our site](https://evil.example/x)');
    fireEvent.click(getByRole('link', { name: 'our site' }));
    const dialog = getByRole('dialog', { name: 'Leaving KamaChat' });
    expect(dialog.textContent).toContain('https://evil.example/x');
    expect(opened).toEqual([]);
    fireEvent.click(getByRole('checkbox', { name: 'Trust evil.example links from now on' }));
    fireEvent.click(getByRole('button', { name: 'Visit site' }));
    expect(opened).toEqual(['https://evil.example/x']);
    expect(queryByRole('dialog')).toBeNull();
    // Trusted now: the next click goes straight through (the browser follows the link itself).
    expect(fireEvent.click(getByRole('link', { name: 'our site' }))).toBe(true);
    expect(queryByRole('dialog')).toBeNull();
    open.mockRestore();
  });

  it('keeps links to this KamaChat in the app', () => {
    const { getByRole } = renderIn(`${window.location.origin}/servers/1/channels/8/42`);
    expect(getByRole('link').getAttribute('href')).toBe('/servers/1/channels/8/42');
  });

  it('highlights a code block in a known language once the highlighter loads, and leaves others plain', async () => {
    // The highlighter is a lazy chunk: loaded here first, so the test waits on rendering, not on a module load.
    await import('./CodeBlock');
    const { container, findByText } = renderIn('```ts\nconst n = 1; // one\n```\n```nosuchlang\nplain\n```');
    await findByText('const');
    const code = container.querySelector('code[data-language="ts"]')!;
    expect(code.textContent).toBe('const n = 1; // one');
    expect(code.querySelector('.text-purple-800')!.textContent).toBe('const');
    expect(code.querySelector('.italic')!.textContent).toBe('// one');
    expect(container.querySelectorAll('pre')[1]!.querySelector('span')).toBeNull();
  });
});

describe('links to this KamaChat', () => {
  it('are in-app paths under the configured server or the page origin, and nothing that only starts alike', () => {
    const bases = ['https://chat.example.com/kama', 'http://localhost:3000'];
    expect(inAppPath('https://chat.example.com/kama/channels/1/2', bases)).toBe('/channels/1/2');
    expect(inAppPath('http://localhost:3000/invite/abc', bases)).toBe('/invite/abc');
    expect(inAppPath('https://chat.example.com/other', bases)).toBeNull();
    expect(inAppPath('http://localhost:3000.evil.example/x', bases)).toBeNull();
  });
});

describe('mentions as text', () => {
  const names = {
    nameOf: (id: string) => (id === '7' ? 'Ada' : 'unknown user'),
    roleOf: (id: string) => (id === '8' ? { name: 'mods' } : undefined),
    channelOf: (id: string) => (id === '9' ? { name: 'general' } : undefined),
  };
  it('names users, roles and channels as their chips do', () => {
    expect(mentionsAsText('hi <@7> and <@!7>, <@&8> see <#9>', names)).toBe('hi @Ada and @Ada, @mods see #general');
    expect(mentionsAsText('<@1> <@&2> <#3>', names)).toBe('@unknown user @deleted-role #unknown-channel');
    expect(mentionsAsText('<@x> < @7> plain', names)).toBe('<@x> < @7> plain');
  });
});
