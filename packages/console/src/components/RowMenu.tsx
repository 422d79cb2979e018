import { useState } from 'react';
import { IconButton, Menu, MenuItem } from '@mui/material';
import MoreVert from '@mui/icons-material/MoreVert';

/** The three-dot menu of a table row. The menu itself exists only while open: tables stay light. */
export function RowMenu({
  label,
  items,
}: {
  label: string;
  items: { label: string; onClick(): void; disabled?: boolean }[];
}) {
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  return (
    <>
      <IconButton aria-label={label} aria-haspopup="menu" onClick={(e) => setAnchor(e.currentTarget)} size="small">
        <MoreVert />
      </IconButton>
      {anchor ? (
        <Menu anchorEl={anchor} open onClose={() => setAnchor(null)}>
          {items.map((item) => (
            <MenuItem
              key={item.label}
              disabled={item.disabled}
              onClick={() => {
                setAnchor(null);
                item.onClick();
              }}
            >
              {item.label}
            </MenuItem>
          ))}
        </Menu>
      ) : null}
    </>
  );
}
