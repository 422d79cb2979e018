import { createTheme } from '@mui/material/styles';

// The product's look: contained upper-case buttons, dense tables, system fonts (nothing to download).
export const theme = createTheme({
  // Filled alerts and chips keep white text at 4.5:1 contrast or better (WCAG AA).
  palette: {
    primary: { main: '#1f4e8c' },
    secondary: { main: '#6b3fa0' },
    warning: { main: '#8a4500' },
    info: { main: '#01579b' },
    success: { main: '#1b5e20' },
    error: { main: '#b71c1c' },
  },
  typography: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif' },
  components: {
    MuiButton: { defaultProps: { disableElevation: true } },
    MuiTableCell: { styleOverrides: { head: { fontWeight: 600 } } },
    // Visually hidden column labels are absolutely positioned: keep them inside the scrolling box,
    // or a wide table makes the whole page scroll sideways on a phone.
    MuiTableContainer: { styleOverrides: { root: { position: 'relative' } } },
  },
});
