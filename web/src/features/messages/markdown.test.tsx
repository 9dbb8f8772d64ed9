import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mentionedIds, safeHref, tokenize } from './markdown';
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
      <Markdown content={'<img src=x onerror=alert(1)><script>alert(2)</script> **<b>x</b>**'} nameOf={(id) => id} />,
    );
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect(container.textContent).toContain('<script>alert(2)</script>');
  });

  it('never links javascript: URLs, and opens http links safely', () => {
    const { container } = render(
      <Markdown content={'[x](javascript:alert(1)) javascript:alert(1) https://ok.example/'} nameOf={(id) => id} />,
    );
    const links = container.querySelectorAll('a');
    expect(links).toHaveLength(1);
    expect(links[0]!.getAttribute('href')).toBe('https://ok.example/');
    expect(links[0]!.getAttribute('rel')).toBe('noopener noreferrer');
    expect(links[0]!.getAttribute('target')).toBe('_blank');
  });

  it('shows mentions by name', () => {
    const { container } = render(<Markdown content="hey <@42>" nameOf={(id) => (id === '42' ? 'ann' : id)} />);
    expect(container.textContent).toBe('hey @ann');
  });
});
