import { cleanup, fireEvent, render } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LinkEmbeds } from './LinkEmbeds';

afterEach(cleanup);

const embed = {
  url: 'https://news.example/story?id=1',
  siteName: 'Example News',
  title: 'A <b>headline</b>',
  description: 'What happened, <img src=x onerror=alert(1)> in a few lines.',
};

describe('link preview card', () => {
  it('shows the site, the title as a safe link and the description as text', () => {
    const { container, getByRole, getByText } = render(
      <MemoryRouter>
        <LinkEmbeds embeds={[embed]} />
      </MemoryRouter>,
    );
    const link = getByRole('link', { name: 'A <b>headline</b>' });
    expect(link.getAttribute('href')).toBe('https://news.example/story?id=1');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(getByText('Example News')).toBeTruthy();
    expect(getByText(embed.description).className).toContain('line-clamp-3');
    // Text from another site is never markup.
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    // No remove button unless the viewer may remove.
    expect(container.querySelector('button')).toBeNull();
  });

  it('names the link by its host when the page had no title, and never links a non-web address', () => {
    const { getAllByRole, getByText } = render(
      <MemoryRouter>
        <LinkEmbeds
          embeds={[
            { url: 'https://plain.example/', siteName: null, title: null, description: 'Only a description' },
            { url: 'javascript:alert(1)', siteName: null, title: 'Not a link', description: null },
          ]}
        />
      </MemoryRouter>,
    );
    const links = getAllByRole('link');
    expect(links).toHaveLength(1);
    expect(links[0]!.textContent).toBe('plain.example');
    expect(getByText('Not a link').closest('a')).toBeNull();
  });

  it('offers the author or a moderator a remove button, reachable by keyboard', () => {
    const onRemove = vi.fn();
    const { getByRole } = render(
      <MemoryRouter>
        <LinkEmbeds embeds={[embed]} onRemove={onRemove} />
      </MemoryRouter>,
    );
    const remove = getByRole('button', { name: 'Remove preview' });
    remove.focus();
    expect(document.activeElement).toBe(remove);
    fireEvent.click(remove);
    expect(onRemove).toHaveBeenCalledOnce();
  });

  it("shows the page's picture from this server beside the text, its box sized before it loads, with the title as alt text", () => {
    const { getByRole } = render(
      <MemoryRouter>
        <LinkEmbeds
          embeds={[{ ...embed, image: { url: '/media/link-images/abc.webp?ex=1&sig=x', width: 800, height: 400, large: false } }]}
        />
      </MemoryRouter>,
    );
    const picture = getByRole('img', { name: 'A <b>headline</b>' });
    expect(picture.getAttribute('src')).toMatch(/^(https?:\/\/[^/]+)?\/media\/link-images\/abc\.webp\?ex=1&sig=x$/);
    expect(picture.getAttribute('loading')).toBe('lazy');
    // Scaled into the 80 px square, the aspect kept; the same size whether or not the bytes have come.
    expect([picture.getAttribute('width'), picture.getAttribute('height')]).toEqual(['80', '40']);
    expect(picture.style.width).toBe('80px');
    expect(picture.style.aspectRatio).toBe('80 / 40');
    // Beside the text: in the same row as the title.
    expect(picture.parentElement!.contains(getByRole('link'))).toBe(true);
  });

  it('shows a large picture under the text when the page asks for one (summary_large_image)', () => {
    const { container, getByRole } = render(
      <MemoryRouter>
        <LinkEmbeds
          embeds={[{ ...embed, title: null, image: { url: '/media/link-images/big.webp', width: 1600, height: 800, large: true } }]}
        />
      </MemoryRouter>,
    );
    // Without a title the picture says nothing the link does not: decorative.
    const picture = container.querySelector('img')!;
    expect(picture.getAttribute('alt')).toBe('');
    expect([picture.getAttribute('width'), picture.getAttribute('height')]).toEqual(['400', '200']);
    expect(picture.parentElement!.contains(getByRole('link'))).toBe(false);
  });

  it('reads a preview stored before pictures were (no image field) as a card without one', () => {
    const { container, getByRole } = render(
      <MemoryRouter>
        <LinkEmbeds embeds={[{ url: embed.url, siteName: null, title: 'Old', description: null }]} />
      </MemoryRouter>,
    );
    expect(getByRole('link', { name: 'Old' })).toBeTruthy();
    expect(container.querySelector('img')).toBeNull();
  });

  it('shows nothing for a message without previews', () => {
    const { container } = render(<LinkEmbeds embeds={[]} />);
    expect(container.innerHTML).toBe('');
  });
});
